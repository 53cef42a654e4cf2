#include "ContainerWatch.h"

#include "ContainerLister.h"
#include "engine/DockerClient.h"
#include "engine/EngineWatch.h"

#include <QSet>

ContainerWatch::ContainerWatch(DockerClient *client, EngineWatch *watch, QObject *parent)
    : QObject(parent), m_client(client), m_watch(watch), m_model(new ContainersModel(this))
{
    if (!m_watch) {
        m_watch = new EngineWatch(client, this);
        m_ownWatch = true;
    }
    connect(m_watch, &EngineWatch::connected, this, &ContainerWatch::relist);
    connect(m_watch, &EngineWatch::engineEvent, this, &ContainerWatch::onEvent);
    connect(m_watch, &EngineWatch::disconnected, this,
            [this](const Error &error) { emit failed(error); });
}

ContainerWatch::~ContainerWatch() = default;

void ContainerWatch::start()
{
    if (m_ownWatch && m_watch && m_watch->state() == EngineWatch::State::Unknown)
        m_watch->start(); // connected() lists
    else
        relist();
}

void ContainerWatch::relist()
{
    if (!m_client)
        return;
    delete m_listing; // a listing under way is superseded
    m_listing = new QObject(this);
    QObject *listing = m_listing;
    ContainerLister::list(
        m_client, true, listing,
        [this, listing](const Result<QList<ContainerRecord>> &records) {
            listing->deleteLater();
            if (m_listing == listing)
                m_listing = nullptr;
            if (!records) {
                emit failed(records.error());
                return;
            }
            // Row by row: the selection and the sort stay.
            for (const ContainerRecord &record : records.value())
                m_model->upsert(record);
            emit listed();
        },
        // The rows at once; their GPUs when the inspects are in.
        [this](const QList<ContainerRecord> &rows) { m_model->setRecords(rows); });
}

void ContainerWatch::onEvent(const QJsonObject &event)
{
    if (event.value(QLatin1String("Type")).toString() != QLatin1String("container"))
        return;
    const QString action = event.value(QLatin1String("Action")).toString();
    const QString id =
        event.value(QLatin1String("Actor")).toObject().value(QLatin1String("ID")).toString();
    if (id.isEmpty())
        return;
    static const QSet<QString> changes{QStringLiteral("create"),  QStringLiteral("start"),
                                       QStringLiteral("die"),     QStringLiteral("stop"),
                                       QStringLiteral("kill"),    QStringLiteral("pause"),
                                       QStringLiteral("unpause"), QStringLiteral("restart"),
                                       QStringLiteral("rename"),  QStringLiteral("update"),
                                       QStringLiteral("oom")};
    // Podman says "remove" where dockerd says "destroy".
    if (action == QLatin1String("destroy") || action == QLatin1String("remove")) {
        ++m_eventsApplied;
        m_model->remove(id);
        emit containerUpdated(id);
    } else if (changes.contains(action)) {
        refresh(id);
    }
}

void ContainerWatch::refresh(const QString &id)
{
    if (!m_client)
        return;
    ContainerLister::inspect(m_client, {id}, this,
                             [this, id](const Result<QList<ContainerRecord>> &records) {
                                 ++m_eventsApplied;
                                 if (!records)
                                     return; // the next event or listing brings it
                                 if (records.value().isEmpty())
                                     m_model->remove(id); // gone before the inspect
                                 else
                                     m_model->upsert(records.value().first());
                                 emit containerUpdated(id);
                             });
}
