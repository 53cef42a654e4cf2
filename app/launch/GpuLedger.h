#pragma once

#include "common/Result.h"
#include "containers/ContainerRecord.h"
#include "gpu/GpuSnapshot.h"

#include <QDateTime>
#include <QHash>
#include <QJsonArray>
#include <QJsonObject>
#include <QList>
#include <QObject>
#include <QString>
#include <QStringList>

#include <functional>

class DockerClient;

// The engine as the ledger of a shared GPU host: every GPU Deck launch that picked free GPUs
// creates its container with a claim, the label ContainerRecord::gpusLabel() holding the GPU
// UUIDs; whoever reads the engine sees the claims, whatever machine or process made them.
// A claim takes its GPUs while its container is created and not older than kClaimSeconds (a
// crash between create and start leaves a claim that lapses), and of course while it runs.
// Two launches that picked the same GPU at the same moment both see each other's claim after
// their creates; the one that gives way removes its container and picks again. Both apply
// the same rule (givesWay), so exactly one of two overlapping claims stays.
namespace GpuLedger {

constexpr int kClaimSeconds = 30;
// A launch that gave way this often fails instead of picking again.
constexpr int kMaxRetries = 8;

struct Claim
{
    QString id;
    QString name;
    QString state;     // the engine's: created, running, ...
    QDateTime created; // the engine's Created (ms; a list entry: whole seconds)
    QStringList uuids; // the host's GPU UUIDs of the label

    bool isRunning() const;
};

// The filter of GET /containers/json that lists only containers with a claim.
QJsonObject listFilter();

// The claim a container carries (no uuids: none, or none of host's GPUs).
Claim claimOf(const ContainerRecord &record, const GpuSnapshot &host);
QList<Claim> claimsOf(const QList<ContainerRecord> &records, const GpuSnapshot &host);

// Whether a claim takes its GPUs at now: running, or created within kClaimSeconds.
bool isLive(const Claim &claim, const QDateTime &now = QDateTime::currentDateTimeUtc());

// GPU UUID -> the names of the containers whose live, not yet running claims take it (running
// ones are the holders ContainerLister::heldBy names). exceptId: the reader's own container.
QHash<QString, QString> claimedBy(const QList<Claim> &claims, const QString &exceptId = {},
                                  const QDateTime &now = QDateTime::currentDateTimeUtc());

// The rule both sides apply: mine gives way to other when their GPUs overlap, other is live and
// mine does not run yet, and other runs, or mine has lapsed, or other was created earlier (on
// the engine's clock), or at the same time with a smaller id.
bool givesWay(const Claim &mine, const Claim &other,
              const QDateTime &now = QDateTime::currentDateTimeUtc());

// The live claims of the engine's containers (running or created), from their list entries.
void readClaims(DockerClient *client, const GpuSnapshot &host, QObject *context,
                std::function<void(const Result<QList<Claim>> &)> done);

// After the create of mine (its id, the UUIDs it claims): reads the engine's claims again, with
// the overlapping ones inspected for their exact Created. done gets the name of the claim mine
// gives way to, or an empty string when mine keeps its GPUs.
void check(DockerClient *client, const QString &id, const QStringList &uuids,
           const GpuSnapshot &host, QObject *context,
           std::function<void(const Result<QString> &)> done);

} // namespace GpuLedger
