#include "ContainerLister.h"

#include "engine/DockerClient.h"

#include <QHash>
#include <QJsonArray>
#include <QPointer>

namespace {

// At most this many inspects in flight: each holds a connection of its own.
constexpr int kParallel = 8;

// The inspects of one listing; a child of the caller's context, so that deleting the context
// drops the answers still to come.
class Batch : public QObject
{
public:
    Batch(DockerClient *client, QObject *context, ContainerLister::Done done)
        : QObject(context), m_client(client), m_done(std::move(done))
    {
    }

    void run(const QList<QPair<QString, QJsonObject>> &items)
    {
        m_items = items;
        m_records.resize(items.size());
        m_found.fill(false, items.size());
        if (items.isEmpty()) {
            finish(QList<ContainerRecord>());
            return;
        }
        while (m_next < m_items.size() && m_inFlight < kParallel)
            startNext();
    }

    void fail(const Error &error) { finish(error); }

private:
    void startNext()
    {
        const int i = m_next++;
        ++m_inFlight;
        m_client->inspectContainer(
            m_items.at(i).first, this, [this, i](const Result<QJsonObject> &answer) {
                --m_inFlight;
                if (answer) {
                    m_records[i] = ContainerRecord::fromInspect(answer.value(),
                                                                m_items.at(i).second);
                    m_records[i].engine = m_client->endpoint().url;
                    m_found[i] = true;
                } else if (answer.error().httpStatus() != 404 && !m_error.isError()) {
                    m_error = answer.error();
                }
                if (m_next < m_items.size())
                    startNext();
                else if (m_inFlight == 0)
                    settle();
            });
    }

    void settle()
    {
        if (m_error.isError()) {
            finish(m_error);
            return;
        }
        QList<ContainerRecord> records;
        for (int i = 0; i < m_records.size(); ++i) {
            if (m_found.at(i))
                records << m_records.at(i);
        }
        finish(records);
    }

    void finish(const Result<QList<ContainerRecord>> &result)
    {
        const ContainerLister::Done done = std::move(m_done);
        deleteLater();
        if (done)
            done(result);
    }

    QPointer<DockerClient> m_client;
    ContainerLister::Done m_done;
    QList<QPair<QString, QJsonObject>> m_items;
    QList<ContainerRecord> m_records;
    QList<bool> m_found;
    Error m_error;
    int m_next = 0;
    int m_inFlight = 0;
};

} // namespace

namespace ContainerLister {

void list(DockerClient *client, bool all, QObject *context, Done done,
          const std::function<void(const QList<ContainerRecord> &)> &firstRows)
{
    auto *batch = new Batch(client, context, std::move(done));
    client->listContainers(
        all, {}, batch, [batch, client, firstRows](const Result<QJsonArray> &entries) {
            if (!entries) {
                batch->fail(entries.error());
                return;
            }
            QList<QPair<QString, QJsonObject>> items;
            for (const QJsonValue &entry : entries.value()) {
                const QJsonObject object = entry.toObject();
                items.append({object.value(QLatin1String("Id")).toString(), object});
            }
            if (firstRows) {
                QList<ContainerRecord> rows;
                for (const auto &item : std::as_const(items)) {
                    rows << ContainerRecord::fromListEntry(item.second);
                    rows.last().engine = client->endpoint().url;
                }
                firstRows(rows);
            }
            batch->run(items);
        });
}

void inspect(DockerClient *client, const QStringList &ids, QObject *context, Done done)
{
    auto *batch = new Batch(client, context, std::move(done));
    QList<QPair<QString, QJsonObject>> items;
    for (const QString &id : ids)
        items.append({id, {}});
    batch->run(items);
}

QHash<QString, QString> heldBy(const QList<ContainerRecord> &records, const GpuSnapshot &host)
{
    QHash<QString, QString> holders;
    for (const ContainerRecord &record : records) {
        if (!record.isRunning())
            continue;
        for (const QString &uuid : record.gpus.heldUuids(host)) {
            QString &names = holders[uuid];
            names = names.isEmpty() ? record.name : names + QStringLiteral(", ") + record.name;
        }
    }
    return holders;
}

} // namespace ContainerLister
