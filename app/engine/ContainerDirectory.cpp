#include "ContainerDirectory.h"

#include "DockerClient.h"
#include "EngineLogging.h"

namespace {

QString bareName(QString name)
{
    if (name.startsWith(QLatin1Char('/')))
        name.remove(0, 1);
    return name;
}

} // namespace

ContainerDirectory::ContainerDirectory(DockerClient *client, QObject *parent)
    : QObject(parent), m_client(client), m_context(new QObject(this))
{
}

ContainerDirectory::~ContainerDirectory() = default;

const ContainerDirectory::Entry *ContainerDirectory::find(const QString &id)
{
    const auto it = m_entries.constFind(id);
    if (it != m_entries.constEnd())
        return &it.value();
    if (!m_foreign.contains(id))
        inspect(id);
    return nullptr;
}

void ContainerDirectory::lookUp(const QStringList &ids, QObject *context,
                                std::function<void()> done)
{
    for (const QString &id : ids)
        find(id);
    m_waiters.append({context, std::move(done)});
    if (m_pending.isEmpty())
        QMetaObject::invokeMethod(this, &ContainerDirectory::settle, Qt::QueuedConnection);
}

void ContainerDirectory::inspect(const QString &id)
{
    if (!m_client || m_pending.contains(id))
        return;
    m_pending.insert(id);
    ++m_calls;
    m_client->inspectContainer(id, m_context, [this, id](const Result<QJsonObject> &answer) {
        m_pending.remove(id);
        if (answer) {
            const QJsonObject &c = answer.value();
            Entry e;
            e.id = id;
            e.name = bareName(c.value(QStringLiteral("Name")).toString());
            e.image = c.value(QStringLiteral("Config"))
                          .toObject()
                          .value(QStringLiteral("Image"))
                          .toString();
            if (e.image.isEmpty())
                e.image = c.value(QStringLiteral("Image")).toString();
            m_entries.insert(id, e);
        } else if (answer.error().httpStatus() == 404) {
            m_foreign.insert(id); // another engine's, or gone: not asked again
        } else {
            // The engine did not answer: the next refresh asks again.
            qCDebug(lcEngine) << "container lookup failed:" << answer.error().message();
        }
        emit changed();
        if (m_pending.isEmpty())
            settle();
    });
}

void ContainerDirectory::settle()
{
    if (!m_pending.isEmpty())
        return;
    const QList<Waiter> waiters = std::exchange(m_waiters, {});
    for (const Waiter &w : waiters) {
        if (w.context)
            w.done();
    }
}

void ContainerDirectory::onEvent(const QJsonObject &event)
{
    if (event.value(QStringLiteral("Type")).toString() != QLatin1String("container"))
        return;
    const QJsonObject actor = event.value(QStringLiteral("Actor")).toObject();
    const QString id = actor.value(QStringLiteral("ID")).toString();
    const QString action = event.value(QStringLiteral("Action")).toString();
    if (id.isEmpty())
        return;
    if (action == QLatin1String("destroy") || action == QLatin1String("remove")) {
        m_yours.remove(id);
        if (m_entries.remove(id) > 0)
            emit changed();
        return;
    }
    // Container events carry the name and image as attributes: no inspect needed.
    const QJsonObject attributes = actor.value(QStringLiteral("Attributes")).toObject();
    const QString name = bareName(attributes.value(QStringLiteral("name")).toString());
    const QString image = attributes.value(QStringLiteral("image")).toString();
    const auto it = m_entries.find(id);
    if (it == m_entries.end()) {
        if (action != QLatin1String("create") || name.isEmpty())
            return;
        m_foreign.remove(id);
        m_entries.insert(id, Entry{id, name, image});
        emit changed();
        return;
    }
    if ((!name.isEmpty() && name != it->name) || (!image.isEmpty() && image != it->image)) {
        if (!name.isEmpty())
            it->name = name;
        if (!image.isEmpty())
            it->image = image;
        emit changed();
    }
}

void ContainerDirectory::clear()
{
    delete m_context; // answers still in flight reach nobody
    m_context = new QObject(this);
    m_entries.clear();
    m_foreign.clear();
    m_pending.clear();
    emit changed();
    settle();
}
