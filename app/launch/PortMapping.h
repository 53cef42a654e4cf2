#pragma once

#include "ValidationIssue.h"
#include "common/Result.h"

#include <QJsonArray>
#include <QJsonObject>
#include <QList>
#include <QString>
#include <QStringList>

// One `docker run -p` entry: [IP:][HOST_PORT[-END]:]CONTAINER_PORT[-END][/tcp|udp|sctp], the IP
// an IPv4 address or an IPv6 one (in brackets or not, as docker takes it), or the name=value form
// target=PORT[,published=PORT][,protocol=PROTO]. parse() reads it the way the docker CLI does
// (its run options, then go-connections' nat.ParsePortSpec): what docker accepts it accepts, host
// port 0 included, and bindings() expands it the same way, so that a launch sends exactly the
// ExposedPorts and PortBindings `docker run -p` sends.
struct PortMapping
{
    QString hostIp;         // "" = every interface (docker's default)
    bool hostGiven = false; // a host port was written ("0" too: the engine picks, sent as "0")
    int hostStart = 0;      // 0: the engine picks a free host port
    int hostEnd = 0;
    int containerStart = 0;
    int containerEnd = 0;
    QString protocol = QStringLiteral("tcp");

    // One container port's binding, as HostConfig.PortBindings holds it.
    struct Binding
    {
        QString port;     // "8888/tcp": the key of ExposedPorts and PortBindings
        QString hostIp;   // HostIp
        QString hostPort; // HostPort: "", "8888", or "8000-8010" (a pool the engine picks from)
    };

    // The entry as `docker run -p` takes it; the error says in one sentence what is wrong.
    static Result<PortMapping> parse(const QString &entry);
    // What the docker CLI makes of it: one binding per container port.
    QList<Binding> bindings() const;
    // The parts as the window's port rows show them: "9000-9001/udp" (no protocol for tcp), and
    // "8000-8001" or "" when the engine picks.
    QString containerPorts() const;
    QString hostPorts() const;
    bool hasHostPool() const { return containerStart == containerEnd && hostStart != hostEnd; }
    bool allInterfaces() const;

    // The default address of a port row in the window: this machine only.
    static const QString &loopback(); // "127.0.0.1"
};

namespace PortMappings {

// The entry in the short form ([IP:][HOST:]CONTAINER[/PROTO]) that Compose files take: the
// name=value form converted as docker run converts it, others as written.
QString shortForm(const QString &entry);

// Config.ExposedPorts and HostConfig.PortBindings for entries that parse (others are skipped:
// validate() reports them).
QJsonObject exposedPorts(const QStringList &entries);
QJsonObject portBindings(const QStringList &entries);
// Podman's own create: SpecGenerator "portmappings".
QJsonArray libpodPortMappings(const QStringList &entries);

// Every problem of the entries, field "ports": entries that do not parse, a host port (with its
// protocol and address) published twice, a network mode that cannot publish (host, none,
// container:NAME), and on Podman a host port pool.
QList<ValidationIssue> validate(const QStringList &entries, const QString &networkMode,
                                bool podman = false);

// The published port of a container as inspect reports it (NetworkSettings.Ports): container
// "8888/tcp" is reachable at hostIp:hostPort of the engine's host.
struct Published
{
    int containerPort = 0;
    QString protocol;
    QString hostIp;
    int hostPort = 0;
};
// NetworkSettings.Ports of a container inspect, in port order.
QList<Published> fromInspect(const QJsonObject &inspect);

} // namespace PortMappings
