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
#include <QPointer>
#include <QString>
#include <QStringList>

#include <functional>

class DockerClient;

// The engine as the ledger of a shared GPU host: every GPU Deck launch that picked free GPUs
// creates its container with a claim, the label ContainerRecord::gpusLabel() holding the GPU
// UUIDs; whoever reads the engine sees the claims, whatever machine or process made them.
// A claim takes its GPUs while its container is created and not older than kClaimSeconds (a
// crash between create and start leaves a claim that lapses), and of course while it runs.
// Two launches that picked the same GPU at the same moment both check the engine after their
// creates; the one whose create the engine logged later gives way, removes its container and
// picks again. Every reader sees the same log, so exactly one of two overlapping claims stays.
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

// Whether a claim takes its GPUs at now (on the engine's clock: DockerClient::engineNow()):
// running, or created within kClaimSeconds.
bool isLive(const Claim &claim, const QDateTime &now = QDateTime::currentDateTimeUtc());

// GPU UUID -> the names of the containers whose live, not yet running claims take it (running
// ones are the holders ContainerLister::heldBy names). exceptId: the reader's own container.
QHash<QString, QString> claimedBy(const QList<Claim> &claims, const QString &exceptId = {},
                                  const QDateTime &now = QDateTime::currentDateTimeUtc());

// The rule by Created times, which both sides apply alike: mine gives way to other when their
// GPUs overlap, other is live and mine does not run yet, and other runs, or mine has lapsed, or
// other was created earlier (on the engine's clock), or at the same time with a smaller id.
// (check() orders by the engine's event log instead where it can: see there.)
bool givesWay(const Claim &mine, const Claim &other,
              const QDateTime &now = QDateTime::currentDateTimeUtc());

// The live claims of the engine's containers (running or created), from their list entries.
void readClaims(DockerClient *client, const GpuSnapshot &host, QObject *context,
                std::function<void(const Result<QList<Claim>> &)> done);

// After the create of mine (its id, the UUIDs it claims): reads the engine's claims again and
// the order the engine logged their creates in (GET /events since two minutes back, until mine
// comes). Mine gives way to an overlapping live claim that runs or was logged before it; an
// engine whose events do not come within 10 s is judged by givesWay on the exact
// Created times (the overlapping claims inspected). done gets the name of the claim mine gives
// way to, or an empty string when mine keeps its GPUs.
// Why the events are read only after the create: the engine appends each event to its log under
// a lock, then hands it to the live subscribers outside it, so two creates at the same moment
// reach two streams that were already open in either order; the log's past part, which a stream
// opened after the create replays first, is one order for every reader, and holds every create
// logged before mine. Why the log and not the Created times: a container created earlier may
// be registered, and listed, only after a later one has been checked; its create is logged
// after it is registered.
// others: the other engines of the GPU host (the local Docker's and the local Podman's). Their
// logs are not ours, so once mine keeps its GPUs on its engine, their claims are judged by
// givesWayOnHost (one machine, one clock); one that cannot be read in time is left out.
void check(DockerClient *client, const QList<QPointer<DockerClient>> &others, const QString &id,
           const QStringList &uuids, const GpuSnapshot &host, QObject *context,
           std::function<void(const Result<QString> &)> done);

// The claim of another engine of the host that mine (its id and UUIDs, on engine mineEngine)
// gives way to, by givesWay on the exact Created times of live (inspected) records; its name,
// or empty.
QString givesWayOnHost(const QList<ContainerRecord> &live, const QString &id,
                       const QString &mineEngine, const QStringList &uuids, const GpuSnapshot &host,
                       const QDateTime &now);

} // namespace GpuLedger
