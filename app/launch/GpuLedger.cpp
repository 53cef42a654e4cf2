#include "GpuLedger.h"

#include "containers/ContainerLister.h"
#include "engine/DockerClient.h"
#include "engine/JsonStream.h"

#include <QJsonArray>
#include <QLoggingCategory>
#include <QPointer>
#include <QTimer>

#include <algorithm>

namespace GpuLedger {
void checkByCreated(DockerClient *client, const QString &id, const QStringList &uuids,
                    const GpuSnapshot &host, QObject *context,
                    std::function<void(const Result<QString> &)> done);
} // namespace GpuLedger

Q_LOGGING_CATEGORY(lcLedger, "gpudeck.ledger", QtWarningMsg)

namespace {

// How long the engine's past create events may take to come before the check falls back to the
// containers' Created times.
constexpr int kEventsTimeoutMs = 10000;

bool overlaps(const QStringList &mine, const QStringList &other)
{
    return std::any_of(mine.cbegin(), mine.cend(),
                       [&other](const QString &uuid) { return other.contains(uuid); });
}

} // namespace

namespace GpuLedger {

bool Claim::isRunning() const
{
    return state == QLatin1String("running") || state == QLatin1String("paused")
           || state == QLatin1String("restarting");
}

QJsonObject listFilter()
{
    return {{QStringLiteral("label"), QJsonArray{ContainerRecord::gpusLabel()}}};
}

Claim claimOf(const ContainerRecord &record, const GpuSnapshot &host)
{
    Claim claim;
    claim.id = record.id;
    claim.name = record.name;
    claim.state = record.state;
    claim.created = record.createdAt;
    const QStringList tokens = record.labels.value(ContainerRecord::gpusLabel())
                                   .toString()
                                   .split(QLatin1Char(','), Qt::SkipEmptyParts);
    if (!tokens.isEmpty())
        claim.uuids = ContainerGpus::fromTokens(tokens, {}).heldUuids(host);
    return claim;
}

QList<Claim> claimsOf(const QList<ContainerRecord> &records, const GpuSnapshot &host)
{
    QList<Claim> claims;
    for (const ContainerRecord &record : records) {
        Claim claim = claimOf(record, host);
        if (!claim.uuids.isEmpty())
            claims << claim;
    }
    return claims;
}

bool isLive(const Claim &claim, const QDateTime &now)
{
    if (claim.isRunning())
        return true;
    return claim.state == QLatin1String("created") && claim.created.isValid()
           && claim.created.secsTo(now) < kClaimSeconds;
}

QHash<QString, QString> claimedBy(const QList<Claim> &claims, const QString &exceptId,
                                  const QDateTime &now)
{
    QHash<QString, QString> names;
    for (const Claim &claim : claims) {
        if (claim.id == exceptId || claim.isRunning() || !isLive(claim, now))
            continue;
        for (const QString &uuid : claim.uuids) {
            QString &text = names[uuid];
            text = text.isEmpty() ? claim.name : text + QStringLiteral(", ") + claim.name;
        }
    }
    return names;
}

bool givesWay(const Claim &mine, const Claim &other, const QDateTime &now)
{
    if (other.id == mine.id || !isLive(other, now) || mine.isRunning())
        return false;
    if (!overlaps(mine.uuids, other.uuids))
        return false;
    if (other.isRunning() || !isLive(mine, now))
        return true;
    if (other.created != mine.created)
        return other.created < mine.created;
    return other.id < mine.id;
}

void readClaims(DockerClient *client, const GpuSnapshot &host, QObject *context,
                std::function<void(const Result<QList<Claim>> &)> done)
{
    client->listContainers(true, listFilter(), context,
                           [host, done = std::move(done)](const Result<QJsonArray> &entries) {
                               if (!entries) {
                                   done(entries.error());
                                   return;
                               }
                               QList<ContainerRecord> records;
                               for (const QJsonValue &entry : entries.value())
                                   records << ContainerRecord::fromListEntry(entry.toObject());
                               done(claimsOf(records, host));
                           });
}

void checkByCreated(DockerClient *client, const QString &id, const QStringList &uuids,
                    const GpuSnapshot &host, QObject *context,
                    std::function<void(const Result<QString> &)> done)
{
    readClaims(client, host, context,
               [client, id, uuids, host, context,
                done = std::move(done)](const Result<QList<Claim>> &claims) mutable {
                   if (!claims) {
                       done(claims.error());
                       return;
                   }
                   // The list gives whole seconds: the overlapping claims and our own are inspected
                   // for the engine's exact Created, so both sides order them the same way.
                   QStringList ids{id};
                   const QDateTime now = client->engineNow();
                   for (const Claim &other : claims.value()) {
                       if (other.id == id || !isLive(other, now))
                           continue;
                       if (!overlaps(uuids, other.uuids))
                           continue;
                       if (other.isRunning()) {
                           done(other.name);
                           return;
                       }
                       ids << other.id;
                   }
                   if (ids.size() == 1) {
                       done(QString());
                       return;
                   }
                   ContainerLister::inspect(client, ids, context,
                                            [client, id, uuids, host, done = std::move(done)](
                                                const Result<QList<ContainerRecord>> &records) {
                                                if (!records) {
                                                    done(records.error());
                                                    return;
                                                }
                                                Claim mine;
                                                mine.id = id;
                                                mine.uuids = uuids;
                                                QList<Claim> others;
                                                for (const ContainerRecord &record :
                                                     records.value()) {
                                                    Claim claim = claimOf(record, host);
                                                    if (record.id == id) {
                                                        mine = claim;
                                                        mine.uuids = uuids;
                                                    } else {
                                                        others << claim;
                                                    }
                                                }
                                                const QDateTime inspectedAt = client->engineNow();
                                                for (const Claim &other : std::as_const(others)) {
                                                    if (givesWay(mine, other, inspectedAt)) {
                                                        done(other.name);
                                                        return;
                                                    }
                                                }
                                                done(QString());
                                            });
               });
}

namespace {

// One check() (see the header): the engine's create events of claims, opened after our create,
// beside the list of claims; decides once our own create has come and the list is read.
class Check : public QObject
{
public:
    Check(DockerClient *client, const GpuSnapshot &host, QObject *context, QString id,
          QStringList uuids, std::function<void(const Result<QString> &)> done);

private:
    void closeEvents();
    void judgeByCreated();
    void decide();
    void finish(const Result<QString> &result);

    DockerClient *m_client;
    GpuSnapshot m_host;
    QString m_id;
    QStringList m_uuids;
    std::function<void(const Result<QString> &)> m_done;
    QPointer<JsonStream> m_events;
    QStringList m_logged; // the claims' creates, in the order the engine logged them
    QList<Claim> m_claims;
    bool m_ordered = false; // our own create has come
    bool m_listed = false;
    bool m_finished = false;
};

Check::Check(DockerClient *client, const GpuSnapshot &host, QObject *context, QString id,
             QStringList uuids, std::function<void(const Result<QString> &)> done)
    : QObject(context),
      m_client(client),
      m_host(host),
      m_id(std::move(id)),
      m_uuids(std::move(uuids)),
      m_done(std::move(done))
{
    const QJsonObject filters{{QStringLiteral("type"), QJsonArray{QStringLiteral("container")}},
                              {QStringLiteral("event"), QJsonArray{QStringLiteral("create")}},
                              {QStringLiteral("label"), QJsonArray{ContainerRecord::gpusLabel()}}};
    const qint64 since = m_client->engineNow().toSecsSinceEpoch() - 4 * qint64(kClaimSeconds);
    m_events = m_client->events(filters, since);
    m_events->setParent(this);
    connect(m_events, &JsonStream::object, this, [this](const QJsonObject &event) {
        QString logged =
            event.value(QLatin1String("Actor")).toObject().value(QLatin1String("ID")).toString();
        if (logged.isEmpty())
            logged = event.value(QLatin1String("id")).toString();
        m_logged << logged;
        if (logged == m_id) {
            m_ordered = true;
            decide();
        }
    });
    connect(m_events, &JsonStream::finished, this, [this]() {
        if (!m_ordered)
            judgeByCreated();
    });
    QTimer::singleShot(kEventsTimeoutMs, this, [this]() {
        if (!m_ordered)
            judgeByCreated();
    });
    readClaims(m_client, m_host, this, [this](const Result<QList<Claim>> &claims) {
        if (!claims) {
            finish(claims.error());
            return;
        }
        m_claims = claims.value();
        m_listed = true;
        decide();
    });
}

void Check::closeEvents()
{
    if (!m_events)
        return;
    m_events->disconnect(this);
    m_events->cancel();
}

void Check::judgeByCreated()
{
    if (m_finished)
        return;
    qCDebug(lcLedger) << "judging" << m_id.left(12) << "by Created: the create events did not come";
    m_finished = true;
    closeEvents();
    checkByCreated(m_client, m_id, m_uuids, m_host, parent(), std::move(m_done));
    deleteLater();
}

void Check::decide()
{
    if (!m_ordered || !m_listed || m_finished)
        return;
    const qsizetype mineAt = m_logged.indexOf(m_id);
    Claim mine;
    for (const Claim &claim : std::as_const(m_claims)) {
        if (claim.id == m_id)
            mine = claim;
    }
    const QDateTime now = m_client->engineNow();
    qCDebug(lcLedger) << "judging" << m_id.left(12) << "logged" << m_logged.size() << "at" << mineAt
                      << "claims" << m_claims.size();
    for (const Claim &other : std::as_const(m_claims)) {
        if (other.id == m_id || !isLive(other, now) || !overlaps(m_uuids, other.uuids))
            continue;
        const qsizetype otherAt = m_logged.indexOf(other.id);
        qCDebug(lcLedger) << " overlapping" << other.id.left(12) << other.state << "logged at"
                          << otherAt;
        if (other.isRunning() || (otherAt >= 0 && otherAt < mineAt)) {
            finish(other.name);
            return;
        }
        // Not logged before ours: later, unless its event left the engine's short log long ago
        // (then its Created, in whole seconds here, is clearly earlier).
        if (otherAt < 0 && mine.created.isValid() && other.created.isValid()
            && other.created.secsTo(mine.created) >= 2) {
            finish(other.name);
            return;
        }
    }
    finish(QString());
}

void Check::finish(const Result<QString> &result)
{
    if (m_finished)
        return;
    m_finished = true;
    closeEvents();
    const auto done = std::move(m_done);
    deleteLater();
    if (done)
        done(result);
}

} // namespace

QString givesWayOnHost(const QList<ContainerRecord> &live, const QString &id,
                       const QString &mineEngine, const QStringList &uuids, const GpuSnapshot &host,
                       const QDateTime &now)
{
    Claim mine;
    mine.id = id;
    mine.state = QStringLiteral("created");
    mine.created = now; // if it is not listed yet: the latest it can be
    for (const ContainerRecord &record : live) {
        if (record.id == id && record.engine == mineEngine)
            mine = claimOf(record, host);
    }
    mine.uuids = uuids;
    for (const ContainerRecord &record : live) {
        if (record.engine == mineEngine)
            continue; // judged by the engine's log
        if (givesWay(mine, claimOf(record, host), now))
            return record.name;
    }
    return {};
}

namespace {

// Once mine keeps its GPUs on its own engine: the claims of the host's other engines, by exact
// Created times (givesWayOnHost).
void checkOtherEngines(DockerClient *client, const QList<QPointer<DockerClient>> &others,
                       const QString &id, const QStringList &uuids, const GpuSnapshot &host,
                       QObject *context, std::function<void(const Result<QString> &)> done)
{
    // Mine inspected for its exact Created; nothing else of its own engine is read again.
    ContainerLister::inspect(
        client, {id}, context,
        [client, others, id, uuids, host, context,
         done = std::move(done)](const Result<QList<ContainerRecord>> &mine) mutable {
            if (!mine) {
                done(mine.error());
                return;
            }
            // With no engine of its own the listing leaves out the engines that fail: it always
            // answers with a list.
            ContainerLister::onHost(nullptr, others, context,
                                    [client, id, uuids, host, mine = mine.value(),
                                     done = std::move(done)](
                                        const Result<QList<ContainerRecord>> &live) {
                                        done(givesWayOnHost(mine + live.value(), id,
                                                            client->endpoint().url, uuids, host,
                                                            client->engineNow()));
                                    });
        });
}

} // namespace

void check(DockerClient *client, const QList<QPointer<DockerClient>> &others, const QString &id,
           const QStringList &uuids, const GpuSnapshot &host, QObject *context,
           std::function<void(const Result<QString> &)> done)
{
    const bool alone = std::none_of(others.begin(), others.end(),
                                    [](const QPointer<DockerClient> &other) {
                                        return !other.isNull();
                                    });
    if (alone) {
        new Check(client, host, context, id, uuids, std::move(done));
        return;
    }
    // The Check is a child of context: its answer comes only while context lives.
    new Check(client, host, context, id, uuids,
              [client, others, id, uuids, host, context,
               done = std::move(done)](const Result<QString> &holder) mutable {
                  if (!holder || !holder.value().isEmpty()) {
                      done(holder);
                      return;
                  }
                  checkOtherEngines(client, others, id, uuids, host, context, std::move(done));
              });
}

} // namespace GpuLedger
