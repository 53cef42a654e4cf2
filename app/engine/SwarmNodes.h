#pragma once

#include "common/Result.h"

#include <QJsonArray>
#include <QJsonObject>
#include <QList>
#include <QString>
#include <QStringList>

#include <functional>

class DockerClient;
class QObject;

// A swarm's nodes as a manager reports them, with the GPUs each advertises as the generic
// resource NVIDIA-GPU (daemon.json node-generic-resources) and the running task holding each one:
// what `gpudeck swarm nodes` prints and the window's Swarm view shows.
struct SwarmNode
{
    struct Gpu
    {
        QString uuid;
        QString taskId;   // empty: free
        QString taskName; // "train.1"
        QString service;
        QString taskState;
    };

    QString id;
    QString hostname;
    QString state;        // "ready", "down"
    QString availability; // "active", "pause", "drain"
    QString role;         // "leader", "manager", "worker"
    QString address;
    QList<Gpu> gpus;     // advertised by UUID
    int countedGpus = 0; // advertised as a count only (DiscreteResourceSpec)

    int gpuCount() const { return int(gpus.size()) + countedGpus; }
    int heldGpus() const;
    QJsonObject toJson() const;
};

namespace SwarmNodes {

// The generic resource NVIDIA's documentation names GPUs with on a swarm.
constexpr const char *kGpuKind = "NVIDIA-GPU";

// The NVIDIA-GPU generic resources a node advertises (its Description.Resources.GenericResources,
// or /info's GenericResources): by UUID (NVIDIA-GPU=GPU-<uuid>), and by count only.
struct Advertised
{
    QStringList uuids;
    int counted = 0;
};
Advertised advertisedGpus(const QJsonArray &genericResources);

// From GET /nodes, /services and /tasks (desired state running).
QList<SwarmNode> fromJson(const QJsonArray &nodes, const QJsonArray &services,
                          const QJsonArray &tasks);

// Asks the engine for all three; an engine that is no swarm manager answers with its error
// (HTTP 503), with a hint to run it against one.
using Done = std::function<void(const Result<QList<SwarmNode>> &)>;
void read(DockerClient *client, QObject *context, Done done);

// The hint for a 503 from a node that is not a manager.
Error notAManager(const Error &error);

} // namespace SwarmNodes
