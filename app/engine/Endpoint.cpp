#include "Endpoint.h"

#include <QCryptographicHash>
#include <QDir>
#include <QDirIterator>
#include <QFile>
#include <QFileInfo>
#include <QJsonDocument>
#include <QJsonObject>

namespace {

const QString kDefaultSocket = QStringLiteral("/var/run/docker.sock");

QJsonObject readJsonObject(const QString &path, QString *error)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly)) {
        *error = file.errorString();
        return {};
    }
    QJsonParseError parseError;
    const QJsonDocument doc = QJsonDocument::fromJson(file.readAll(), &parseError);
    if (!doc.isObject()) {
        *error = parseError.error != QJsonParseError::NoError ? parseError.errorString()
                                                              : QStringLiteral("not a JSON object");
        return {};
    }
    return doc.object();
}

QString contextMetaPath(const QString &configDir, const QString &name)
{
    const QByteArray hash = QCryptographicHash::hash(name.toUtf8(), QCryptographicHash::Sha256).toHex();
    return configDir + QStringLiteral("/contexts/meta/") + QString::fromLatin1(hash)
           + QStringLiteral("/meta.json");
}

Result<Endpoint> fromContext(const QProcessEnvironment &env, const QString &name, const QString &source)
{
    const QString path = contextMetaPath(EndpointResolver::configDir(env), name);
    QString error;
    const QJsonObject meta = readJsonObject(path, &error);
    if (meta.isEmpty()) {
        return Error(Error::Code::Usage, QStringLiteral("Docker context \"%1\" (%2) cannot be used").arg(name, source),
                     QStringLiteral("%1: %2").arg(path, error),
                     QStringLiteral("list the contexts with 'docker context ls' and pick one that exists"));
    }
    const QString host = meta.value(QStringLiteral("Endpoints"))
                             .toObject()
                             .value(QStringLiteral("docker"))
                             .toObject()
                             .value(QStringLiteral("Host"))
                             .toString();
    if (host.isEmpty()) {
        return Error(Error::Code::Usage, QStringLiteral("Docker context \"%1\" has no engine address").arg(name),
                     path, QStringLiteral("recreate it with 'docker context create'"));
    }
    return EndpointResolver::fromUrl(host, QStringLiteral("context %1").arg(name));
}

QString currentContextName(const QProcessEnvironment &env)
{
    QString error;
    const QJsonObject config =
        readJsonObject(EndpointResolver::configDir(env) + QStringLiteral("/config.json"), &error);
    return config.value(QStringLiteral("currentContext")).toString();
}

} // namespace

namespace EndpointResolver {

QString configDir(const QProcessEnvironment &env)
{
    const QString dir = env.value(QStringLiteral("DOCKER_CONFIG"));
    if (!dir.isEmpty())
        return dir;
    QString home = env.value(QStringLiteral("HOME"));
    if (home.isEmpty())
        home = QDir::homePath();
    return home + QStringLiteral("/.docker");
}

Result<Endpoint> fromUrl(const QString &url, const QString &source)
{
    const QString trimmed = url.trimmed();
    if (trimmed.startsWith(QLatin1String("unix://"))) {
        const QString path = trimmed.mid(7);
        if (path.isEmpty() || !path.startsWith(QLatin1Char('/'))) {
            return Error(Error::Code::Usage, QStringLiteral("Invalid engine address %1 (from %2)").arg(trimmed, source),
                         QStringLiteral("a unix:// address needs an absolute socket path"),
                         QStringLiteral("write it as unix:///path/to/docker.sock"));
        }
        return Endpoint{trimmed, path, source};
    }
    if (trimmed.startsWith(QLatin1String("/"))) // a bare path is what people paste
        return Endpoint{QStringLiteral("unix://") + trimmed, trimmed, source};
    for (const char *scheme : {"tcp://", "ssh://", "npipe://", "fd://", "http://", "https://"}) {
        if (trimmed.startsWith(QLatin1String(scheme))) {
            return Error(Error::Code::Unsupported,
                         QStringLiteral("Engine address %1 (from %2) is not supported yet").arg(trimmed, source),
                         QStringLiteral("GPU Deck speaks to local engines over unix:// sockets only"),
                         QStringLiteral("use a unix:// socket, or forward the remote socket with "
                                        "'ssh -L /tmp/docker.sock:/var/run/docker.sock HOST'"));
        }
    }
    return Error(Error::Code::Usage, QStringLiteral("Invalid engine address \"%1\" (from %2)").arg(trimmed, source),
                 QStringLiteral("expected a unix:// URL"),
                 QStringLiteral("write it as unix:///var/run/docker.sock"));
}

Result<Endpoint> resolve(const QString &hostOption, const QProcessEnvironment &env)
{
    if (!hostOption.isEmpty())
        return fromUrl(hostOption, QStringLiteral("--host"));
    const QString dockerHost = env.value(QStringLiteral("DOCKER_HOST"));
    if (!dockerHost.isEmpty())
        return fromUrl(dockerHost, QStringLiteral("DOCKER_HOST"));
    QString context = env.value(QStringLiteral("DOCKER_CONTEXT"));
    QString contextSource = QStringLiteral("DOCKER_CONTEXT");
    if (context.isEmpty()) {
        context = currentContextName(env);
        contextSource = QStringLiteral("currentContext in %1/config.json").arg(configDir(env));
    }
    if (!context.isEmpty() && context != QLatin1String("default"))
        return fromContext(env, context, contextSource);
    const QString runtimeDir = env.value(QStringLiteral("XDG_RUNTIME_DIR"));
    if (!runtimeDir.isEmpty()) {
        const QString rootless = runtimeDir + QStringLiteral("/docker.sock");
        if (QFileInfo::exists(rootless))
            return Endpoint{QStringLiteral("unix://") + rootless, rootless, QStringLiteral("rootless socket")};
    }
    return Endpoint{QStringLiteral("unix://") + kDefaultSocket, kDefaultSocket, QStringLiteral("default socket")};
}

QList<DockerContext> contexts(const QProcessEnvironment &env)
{
    QString current = env.value(QStringLiteral("DOCKER_CONTEXT"));
    if (current.isEmpty())
        current = currentContextName(env);
    if (current.isEmpty())
        current = QStringLiteral("default");

    // Where "default" points: no DOCKER_HOST and no context, not even the config's current one.
    QProcessEnvironment plain = env;
    plain.remove(QStringLiteral("DOCKER_HOST"));
    plain.insert(QStringLiteral("DOCKER_CONTEXT"), QStringLiteral("default"));
    QList<DockerContext> list;
    const Result<Endpoint> fallback = resolve({}, plain);
    list.append({QStringLiteral("default"), fallback ? fallback.value().url : QString(),
                 current == QLatin1String("default")});

    QDirIterator it(configDir(env) + QStringLiteral("/contexts/meta"), {QStringLiteral("meta.json")},
                    QDir::Files, QDirIterator::Subdirectories);
    while (it.hasNext()) {
        QString error;
        const QJsonObject meta = readJsonObject(it.next(), &error);
        const QString name = meta.value(QStringLiteral("Name")).toString();
        if (name.isEmpty())
            continue;
        const QString host = meta.value(QStringLiteral("Endpoints")).toObject()
                                 .value(QStringLiteral("docker")).toObject()
                                 .value(QStringLiteral("Host")).toString();
        list.append({name, host, name == current});
    }
    return list;
}

} // namespace EndpointResolver
