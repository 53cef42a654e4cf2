#pragma once

#include "common/Result.h"

#include <QList>
#include <QProcessEnvironment>
#include <QString>

#include <optional>

// One of Podman's saved connections (`podman system connection add NAME URI`).
struct PodmanConnection
{
    QString name;
    QString uri; // as Podman stores it: unix:///…, ssh://user@host[:port][/socket], tcp://…
    QString identity; // ssh: the key file to log in with; empty: ssh's own choice
    bool isDefault = false;
    QString file; // where it is defined
};

// Podman's saved connections, read where Podman keeps them:
//   - Podman 5: podman-connections.json ($PODMAN_CONNECTIONS_CONF, else
//     $XDG_CONFIG_HOME/containers/, else ~/.config/containers/);
//   - Podman 4 and hand-written ones: [engine.service_destinations.NAME] in containers.conf
//     ($CONTAINERS_CONF alone when set, else /etc/containers/containers.conf and then the
//     user's $XDG_CONFIG_HOME/containers/containers.conf, a later file replacing a name).
// The default is the JSON file's Default, else containers.conf's engine.active_service.
namespace PodmanConnections {

struct Found
{
    QList<PodmanConnection> connections; // by name
    // Files that exist but cannot be read, one error each naming the file: their connections are
    // missing.
    QList<Error> problems;
};

Found read(const QProcessEnvironment &env = QProcessEnvironment::systemEnvironment());

// The [engine] table of one containers.conf (TOML); activeService receives active_service.
Result<QList<PodmanConnection>> parseContainersConf(const QByteArray &text, const QString &file,
                                                    QString *activeService = nullptr);
// Podman 5's podman-connections.json.
Result<QList<PodmanConnection>> parseConnectionsJson(const QByteArray &text, const QString &file);

// The connection of this name, if Podman has one.
std::optional<PodmanConnection> find(
    const QString &name, const QProcessEnvironment &env = QProcessEnvironment::systemEnvironment());

} // namespace PodmanConnections
