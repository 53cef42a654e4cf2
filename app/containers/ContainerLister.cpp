#include "ContainerLister.h"

#include "engine/DockerClient.h"

#include <QHash>
#include <QJsonArray>
#include <QLoggingCategory>
#include <QPointer>
#include <QSet>
#include <QTimer>

Q_LOGGING_CATEGORY(lcLister, "gpudeck.containers", QtWarningMsg)

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

// The live containers of one engine and of the other engines of its host, for onHost();
// a child of the caller's context. Each other engine's listing has a context of its own, deleted
// at the deadline so that a late answer reaches nobody.
class HostListing : public QObject
{
public:
    HostListing(QObject *context, ContainerLister::Done done)
        : QObject(context), m_done(std::move(done))
    {
        m_deadline.setSingleShot(true);
        m_deadline.setInterval(ContainerLister::kOthersDeadlineMs);
        connect(&m_deadline, &QTimer::timeout, this, [this]() {
            for (auto it = m_pending.cbegin(); it != m_pending.cend(); ++it) {
                qCDebug(lcLister) << "left out: the engine at" << it.value()
                                  << "did not list its containers in time";
                delete it.key();
            }
            m_pending.clear();
            settle();
        });
    }

    void run(DockerClient *client, const QList<QPointer<DockerClient>> &others)
    {
        for (DockerClient *other : others) {
            if (!other)
                continue;
            auto *call = new QObject(this);
            const QString url = other->endpoint().url;
            m_pending.insert(call, url);
            ContainerLister::list(
                other, true, call,
                [this, call, url](const Result<QList<ContainerRecord>> &found) {
                    if (found)
                        add(found.value());
                    else
                        qCDebug(lcLister)
                            << "left out: the engine at" << url << found.error().message();
                    m_pending.remove(call);
                    call->deleteLater();
                    settle();
                },
                {}, liveFilter());
        }
        if (!m_pending.isEmpty())
            m_deadline.start();
        if (!client) {
            m_ownIn = true;
            settle();
            return;
        }
        ContainerLister::list(
            client, true, this,
            [this](const Result<QList<ContainerRecord>> &found) {
                if (!found) {
                    finish(found.error());
                    return;
                }
                add(found.value());
                m_ownIn = true;
                settle();
            },
            {}, liveFilter());
    }

private:
    static QJsonObject liveFilter()
    {
        // Not "restarting": Podman 4.3 refuses the whole filter for it.
        return {{QStringLiteral("status"),
                 QJsonArray{QStringLiteral("running"), QStringLiteral("paused"),
                            QStringLiteral("created")}}};
    }

    void add(const QList<ContainerRecord> &records)
    {
        // One engine under two addresses lists the same containers twice.
        for (const ContainerRecord &record : records) {
            if (!m_ids.contains(record.id)) {
                m_ids.insert(record.id);
                m_records << record;
            }
        }
    }

    void settle()
    {
        if (m_ownIn && m_pending.isEmpty())
            finish(m_records);
    }

    void finish(const Result<QList<ContainerRecord>> &result)
    {
        m_deadline.stop();
        qDeleteAll(m_pending.keys());
        m_pending.clear();
        m_ownIn = false;
        const ContainerLister::Done done = std::move(m_done);
        deleteLater();
        if (done)
            done(result);
    }

    ContainerLister::Done m_done;
    QHash<QObject *, QString> m_pending; // the other engines' listings still out, with their URLs
    QList<ContainerRecord> m_records;
    QSet<QString> m_ids;
    bool m_ownIn = false;
    QTimer m_deadline;
};

} // namespace

namespace ContainerLister {

void list(DockerClient *client, bool all, QObject *context, Done done,
          const std::function<void(const QList<ContainerRecord> &)> &firstRows,
          const QJsonObject &filters)
{
    auto *batch = new Batch(client, context, std::move(done));
    client->listContainers(
        all, filters, batch, [batch, client, firstRows](const Result<QJsonArray> &entries) {
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

void onHost(DockerClient *client, const QList<QPointer<DockerClient>> &others, QObject *context,
            Done done)
{
    auto *listing = new HostListing(context, std::move(done));
    listing->run(client, others);
}

} // namespace ContainerLister
