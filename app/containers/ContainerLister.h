#pragma once

#include "ContainerRecord.h"
#include "common/Result.h"

#include <QJsonObject>
#include <QList>
#include <QObject>
#include <QPointer>

#include <functional>

class DockerClient;

// The engine's containers as records: GET /containers/json, then an inspect of each (the list
// entry lacks the GPU request), a few at a time. A container removed between the list and its
// inspect is left out. done runs once, unless context is deleted first.
namespace ContainerLister {

using Done = std::function<void(const Result<QList<ContainerRecord>> &)>;

// firstRows, when given, runs once the list is in, before the inspects, with records made from
// the list entries alone (ContainerRecord::fromListEntry): a view can show them at once. filters:
// GET /containers/json's.
void list(DockerClient *client, bool all, QObject *context, Done done,
          const std::function<void(const QList<ContainerRecord> &)> &firstRows = {},
          const QJsonObject &filters = {});
// The same for a few containers by ID or name (an event's container); a missing one is left out.
void inspect(DockerClient *client, const QStringList &ids, QObject *context, Done done);

// UUID -> the name of the running container that holds that GPU of host.
QHash<QString, QString> heldBy(const QList<ContainerRecord> &records, const GpuSnapshot &host);

// Wait at most this long for the other engines of a host in onHost().
constexpr int kOthersDeadlineMs = 3000;
// The containers that hold GPUs or may claim them (running, paused and created ones) of client
// and of others, the other engines of its GPU host (the local Docker's and the local Podman's),
// each once: engine's failure is the answer's error; one of the others that fails, or has not
// answered within kOthersDeadlineMs, is left out (a debug line says which). Each record's engine
// says whose it is. A null client: the others' only. done runs once, unless context is deleted
// first.
void onHost(DockerClient *client, const QList<QPointer<DockerClient>> &others, QObject *context,
            Done done);

} // namespace ContainerLister
