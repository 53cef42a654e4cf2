#pragma once

#include "engine/DockerClient.h"

#include <QString>
#include <QStringList>

#include <functional>

class CliContext;

// What stop, kill and rm share: the same action on each container named, one after another,
// as the docker CLI does: the name printed when done; a container that does not exist is one
// sentence on stderr, and the others are still done. Exit code 1 when any failed.
namespace ContainerActions {

using Action = std::function<void(DockerClient *client, const QString &container, QObject *context,
                                  DockerClient::Callback<void> done)>;

// verb: "stop", "kill", "remove" (for "Cannot stop NAME: ...").
int forEach(CliContext &ctx, const QStringList &containers, const QString &verb,
            const Action &action);

// The engine's 404 as the user reads it: "Cannot stop NAME: the engine has no such container."
Error explain(const Error &error, const QString &container, const QString &verb);

} // namespace ContainerActions
