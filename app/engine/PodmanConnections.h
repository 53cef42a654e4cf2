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
    // tcp:// with TLS (newer Podman's --tls-ca, --tls-cert, --tls-key): the CA the engine's
    // certificate must chain to (empty: the system's), our client certificate and its key.
    QString tlsCa;
    QString tlsCert;
    QString tlsKey;
    bool isDefault = false;
    QString file; // where it is defined
};

// Podman's saved connections, read where Podman keeps them:
//   - Podman 5: podman-connections.json ($PODMAN_CONNECTIONS_CONF, else
//     $XDG_CONFIG_HOME/containers/, else ~/.config/containers/);
//   - Podman 4 and hand-written ones: [engine.service_destinations.NAME] in the containers.conf
//     files, in containers-config(5)'s order (confFiles()), a later file replacing a name.
// The default is the JSON file's Default, else the last engine.active_service.
namespace PodmanConnections {

// Where the system's containers.conf files live; tests point them elsewhere.
struct Places
{
    QString share; // /usr/share/containers: the distribution's defaults
    QString etc;   // /etc/containers: the administrator's
    uint uid = 0;  // 0 reads the rootful drop-in directories, any other the rootless ones
    static Places system();
};

// The containers.conf files Podman reads, lowest precedence first, that exist: $CONTAINERS_CONF
// alone when set, else for share then etc: containers.conf, containers.conf.d/, then
// containers.rootful.conf.d/ (uid 0) or containers.rootless.conf.d/ and its <uid>/; then the
// user's $XDG_CONFIG_HOME (else ~/.config)/containers/containers.conf and containers.conf.d/;
// and $CONTAINERS_CONF_OVERRIDE last. A drop-in directory gives its *.conf files by name.
QStringList confFiles(const QProcessEnvironment &env, const Places &places);

struct Found
{
    QList<PodmanConnection> connections; // by name
    // Files that exist but cannot be read, one error each naming the file: their connections are
    // missing.
    QList<Error> problems;
};

Found read(const QProcessEnvironment &env = QProcessEnvironment::systemEnvironment(),
           const Places &places = Places::system());

// The [engine] table of one containers.conf (TOML); activeService receives active_service.
Result<QList<PodmanConnection>> parseContainersConf(const QByteArray &text, const QString &file,
                                                    QString *activeService = nullptr);
// Podman 5's podman-connections.json.
Result<QList<PodmanConnection>> parseConnectionsJson(const QByteArray &text, const QString &file);

// The connection of this name, if Podman has one.
std::optional<PodmanConnection> find(
    const QString &name, const QProcessEnvironment &env = QProcessEnvironment::systemEnvironment());

} // namespace PodmanConnections
