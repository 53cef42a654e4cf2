#pragma once

#include "gpu/GpuSnapshot.h"

#include <QJsonArray>
#include <QJsonObject>
#include <QList>
#include <QString>
#include <QStringList>

// Which GPUs a container holds, read from its inspect JSON the ways a container can ask for them:
// HostConfig.DeviceRequests (DeviceIDs as indexes, GPU or MIG UUIDs, "GPU:MIG" indexes; Count N =
// GPUs 0..N-1, -1 = all), CDI devices (a "cdi" device request, or Podman's HostConfig.Devices with
// nvidia.com/gpu=... names), GPU device nodes /dev/nvidiaN in HostConfig.Devices (what Podman
// shows of a CDI device once the container has started; matched by the GPU's minor number), and
// NVIDIA_VISIBLE_DEVICES in Config.Env when the runtime is nvidia.
// The request is read once (it does not change over the container's life); held() turns it into
// the host's GPUs, and without them keeps what the container asked for.
class ContainerGpus
{
public:
    struct Gpu
    {
        int index = -1; // -1: not known (the host's GPUs were not read)
        QString uuid;   // empty: not known
        bool operator==(const Gpu &o) const { return index == o.index && uuid == o.uuid; }
    };

    // The request as the engine stored it.
    static ContainerGpus fromInspect(const QJsonObject &inspect);
    // One token of a request: "0", "GPU-…", "MIG-…", "0:1", "all", "/dev/nvidia0"; count N as
    // "count=N".
    static ContainerGpus fromTokens(const QStringList &tokens, const QString &request);

    bool asksForGpus() const { return !m_tokens.isEmpty(); }
    // What the container asked for, in docker's words: "device=1", "count=2", "all",
    // "cdi nvidia.com/gpu=0", "device nodes /dev/nvidia0", "NVIDIA_VISIBLE_DEVICES=1"; several
    // ways joined by "; ".
    const QString &request() const { return m_request; }
    const QStringList &tokens() const { return m_tokens; }

    // The host's GPUs it holds, in index order. When host is null or could not be read: what can
    // be told without it (indexes or UUIDs as asked; a count as indexes 0..N-1; nothing for
    // "all"), and resolved() says so.
    QList<Gpu> held(const GpuSnapshot *host, bool *resolved = nullptr) const;
    // UUIDs of held(host), for "is this GPU taken" checks.
    QStringList heldUuids(const GpuSnapshot &host) const;

    static QJsonArray toJson(const QList<Gpu> &gpus);

private:
    QStringList m_tokens;
    QString m_request;
};
