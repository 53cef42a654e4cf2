#include "GpuLedger.h"

#include "containers/ContainerLister.h"
#include "engine/DockerClient.h"

#include <QJsonArray>

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
    bool overlaps = false;
    for (const QString &uuid : mine.uuids)
        overlaps = overlaps || other.uuids.contains(uuid);
    if (!overlaps)
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

void check(DockerClient *client, const QString &id, const QStringList &uuids,
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
                   const QDateTime now = QDateTime::currentDateTimeUtc();
                   for (const Claim &other : claims.value()) {
                       if (other.id == id || !isLive(other, now))
                           continue;
                       bool overlaps = false;
                       for (const QString &uuid : uuids)
                           overlaps = overlaps || other.uuids.contains(uuid);
                       if (!overlaps)
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
                   ContainerLister::inspect(
                       client, ids, context,
                       [id, uuids, host,
                        done = std::move(done)](const Result<QList<ContainerRecord>> &records) {
                           if (!records) {
                               done(records.error());
                               return;
                           }
                           Claim mine;
                           mine.id = id;
                           mine.uuids = uuids;
                           QList<Claim> others;
                           for (const ContainerRecord &record : records.value()) {
                               Claim claim = claimOf(record, host);
                               if (record.id == id) {
                                   mine = claim;
                                   mine.uuids = uuids;
                               } else {
                                   others << claim;
                               }
                           }
                           const QDateTime inspectedAt = QDateTime::currentDateTimeUtc();
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

} // namespace GpuLedger
