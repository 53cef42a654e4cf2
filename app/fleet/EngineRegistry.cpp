#include "EngineRegistry.h"

#include "Engine.h"

#include <QSettings>

#include <algorithm>

QList<EngineRegistry::Entry> EngineRegistry::known(const QString &hostOption,
                                                   const QStringList &added,
                                                   const QProcessEnvironment &env)
{
    QList<Entry> entries;
    QList<DockerContext> contexts = EndpointResolver::contexts(env);
    // "default" first, then the contexts by name: the store's order is its hash directories'.
    std::stable_sort(contexts.begin(), contexts.end(),
                     [](const DockerContext &a, const DockerContext &b) {
                         const bool aDefault = a.name == QLatin1String("default");
                         const bool bDefault = b.name == QLatin1String("default");
                         if (aDefault != bDefault)
                             return aDefault;
                         return a.name < b.name;
                     });
    for (const DockerContext &context : contexts) {
        Entry entry;
        entry.name = context.name;
        entry.current = context.current;
        if (context.name == QLatin1String("default")) {
            entry.source = QStringLiteral("default");
            entry.endpoint = EndpointResolver::fromUrl(context.host, QStringLiteral("default"),
                                                       env);
        } else {
            entry.source = QStringLiteral("context");
            entry.endpoint = EndpointResolver::fromContext(
                context.name, QStringLiteral("context %1").arg(context.name), env);
        }
        entries.append(entry);
    }
    const auto known = [&](const QString &url) {
        return std::any_of(entries.cbegin(), entries.cend(), [&](const Entry &entry) {
            return entry.endpoint && entry.endpoint.value().url == url;
        });
    };
    // Podman's saved connections, by name, unless a row above reaches the same engine; a file of
    // them that cannot be read is a row that says why.
    const PodmanConnections::Found podman = PodmanConnections::read(env);
    for (const PodmanConnection &connection : podman.connections) {
        Entry entry;
        entry.name = connection.name;
        entry.source = QStringLiteral("podman");
        entry.endpoint = EndpointResolver::fromPodmanConnection(connection);
        if (!entry.endpoint || !known(entry.endpoint.value().url))
            entries.append(entry);
    }
    for (const Error &problem : podman.problems) {
        Entry entry;
        entry.name = QStringLiteral("Podman connections");
        entry.source = QStringLiteral("podman");
        entry.endpoint = problem;
        entries.append(entry);
    }
    const auto addUrl = [&](const QString &url, const QString &source, bool current) {
        Entry entry;
        entry.name = url;
        entry.source = source;
        entry.current = current;
        entry.endpoint = EndpointResolver::fromUrl(url, source, env);
        if (current) {
            for (Entry &other : entries)
                other.current = false;
        }
        entries.append(entry);
    };
    const QString dockerHost = env.value(QStringLiteral("DOCKER_HOST"));
    if (!dockerHost.isEmpty())
        addUrl(dockerHost, QStringLiteral("DOCKER_HOST"), true);
    if (!hostOption.isEmpty())
        addUrl(hostOption, QStringLiteral("--host"), true);
    for (const QString &url : added) {
        // One row per engine: an added URL that another source names already is not repeated.
        if (!known(url))
            addUrl(url, QStringLiteral("added"), false);
    }
    return entries;
}

namespace {

// Another engine, not endpoint under a second name, on endpoint's GPU host.
bool sharesGpuHost(const Endpoint &endpoint, const Endpoint &other, const QStringList &taken)
{
    return other.url != endpoint.url && !taken.contains(other.url)
           && other.gpuHostKey() == endpoint.gpuHostKey();
}

} // namespace

QList<Endpoint> EngineRegistry::knownOnGpuHostOf(const Endpoint &endpoint,
                                                 const QString &hostOption,
                                                 const QProcessEnvironment &env)
{
    QList<Endpoint> others;
    QStringList urls;
    for (const Entry &entry : known(hostOption, addedUrls(), env)) {
        if (entry.endpoint && sharesGpuHost(endpoint, entry.endpoint.value(), urls)) {
            others << entry.endpoint.value();
            urls << entry.endpoint.value().url;
        }
    }
    return others;
}

QList<Engine *> EngineRegistry::onGpuHostOf(const Endpoint &endpoint) const
{
    QList<Engine *> others;
    QStringList urls;
    for (Engine *engine : m_engines) {
        if (engine->isValid() && sharesGpuHost(endpoint, *engine->endpoint(), urls)) {
            others << engine;
            urls << engine->url();
        }
    }
    return others;
}

QStringList EngineRegistry::addedUrls()
{
    return QSettings().value(QString::fromLatin1(kAddedKey)).toStringList();
}

Result<Endpoint> EngineRegistry::checkNewUrl(const QString &url, const QStringList &known,
                                             const QProcessEnvironment &env)
{
    const QString trimmed = url.trimmed();
    if (trimmed.isEmpty()) {
        return Error(Error::Code::Usage, QStringLiteral("Type the engine's address first"), {},
                     QStringLiteral(
                         "for example ssh://me@gpu1, tcp://gpu1:2376 or unix:///run/docker.sock"));
    }
    if (!trimmed.contains(QLatin1String("://"))) {
        return Error(Error::Code::Usage, QStringLiteral("Invalid engine address %1").arg(trimmed),
                     QStringLiteral("it needs a scheme"),
                     QStringLiteral("start it with unix://, tcp:// or ssh://"));
    }
    Result<Endpoint> endpoint = EndpointResolver::fromUrl(trimmed, QStringLiteral("added"), env);
    if (!endpoint)
        return endpoint;
    if (known.contains(endpoint.value().url)) {
        return Error(Error::Code::Usage, QStringLiteral("The engine %1 is in the list already")
                                             .arg(endpoint.value().url));
    }
    return endpoint;
}

EngineRegistry::EngineRegistry(const QString &hostOption, QObject *parent,
                               const QProcessEnvironment &env)
    : QObject(parent), m_hostOption(hostOption), m_env(env)
{
}

EngineRegistry::~EngineRegistry() = default;

void EngineRegistry::load()
{
    const QList<Entry> entries = known(m_hostOption, addedUrls(), m_env);
    for (const Entry &entry : entries) {
        Engine *engine = make(entry);
        if (entry.current)
            m_current = engine;
    }
    for (Engine *engine : std::as_const(m_engines))
        engine->start();
}

Engine *EngineRegistry::make(const Entry &entry)
{
    auto *engine = new Engine(entry.name, entry.source, entry.endpoint, this);
    m_engines.append(engine);
    emit engineAdded(engine);
    return engine;
}

Engine *EngineRegistry::current() const
{
    return m_current;
}

Engine *EngineRegistry::find(const QString &url) const
{
    for (Engine *engine : m_engines) {
        if (engine->isValid() && engine->url() == url)
            return engine;
    }
    return nullptr;
}

Engine *EngineRegistry::findByName(const QString &name, const QString &source) const
{
    for (Engine *engine : m_engines) {
        if (engine->name() == name && (source.isEmpty() || engine->source() == source))
            return engine;
    }
    return nullptr;
}

QStringList EngineRegistry::urls() const
{
    QStringList list;
    for (const Engine *engine : m_engines) {
        if (engine->isValid())
            list.append(engine->url());
    }
    return list;
}

Result<Engine *> EngineRegistry::add(const QString &url)
{
    const Result<Endpoint> endpoint = checkNewUrl(url, urls(), m_env);
    if (!endpoint)
        return endpoint.error();
    QSettings settings;
    QStringList added = settings.value(QString::fromLatin1(kAddedKey)).toStringList();
    added.removeAll(endpoint.value().url);
    added.append(endpoint.value().url);
    settings.setValue(QString::fromLatin1(kAddedKey), added);
    Engine *engine = make({endpoint.value().url, QStringLiteral("added"), false, endpoint});
    engine->start();
    return engine;
}

Result<void> EngineRegistry::remove(Engine *engine)
{
    if (!engine || !m_engines.contains(engine))
        return Error(Error::Code::Usage, QStringLiteral("That engine is not in the list"));
    if (engine->source() != QLatin1String("added") && engine->source() != QLatin1String("preset")) {
        return Error(Error::Code::Usage,
                     QStringLiteral("The engine %1 cannot be removed").arg(engine->name()),
                     QStringLiteral("it comes from %1, not from the window").arg(engine->source()),
                     QStringLiteral("remove the docker context or the variable instead"));
    }
    QSettings settings;
    QStringList added = settings.value(QString::fromLatin1(kAddedKey)).toStringList();
    added.removeAll(engine->url());
    settings.setValue(QString::fromLatin1(kAddedKey), added);
    m_engines.removeAll(engine);
    if (m_current == engine)
        m_current = nullptr;
    engine->retire();
    emit engineRemoved(engine);
    return {};
}

Engine *EngineRegistry::engineFor(const Endpoint &endpoint)
{
    if (Engine *engine = find(endpoint.url))
        return engine;
    Engine *engine = make({endpoint.url, QStringLiteral("preset"), false, endpoint});
    engine->start();
    return engine;
}
