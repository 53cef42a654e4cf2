#include "PortMapping.h"

#include <QHostAddress>
#include <QRegularExpression>
#include <QSet>

#include <algorithm>

namespace {

constexpr int kMaxPort = 65535;

Error invalid(const QString &why)
{
    return Error(Error::Code::Validation, QStringLiteral("port"), why);
}

// One port as Go's strconv.ParseUint(text, 10, 16) reads it: decimal digits only (leading zeros
// allowed), 0 to 65535.
bool parsePort(const QString &text, int *port)
{
    if (text.isEmpty())
        return false;
    for (const QChar c : text) {
        if (c < QLatin1Char('0') || c > QLatin1Char('9'))
            return false;
    }
    bool ok = false;
    *port = text.toInt(&ok);
    return ok;
}

// "8888" or "8000-8010" as nat.ParsePortRange reads it: a third part after another '-' is
// ignored, as docker ignores it. false when it is not that; *outOfRange when a number is above
// 65535.
bool parseRange(const QString &text, int *start, int *end, bool *outOfRange)
{
    const QStringList parts = text.split(QLatin1Char('-'));
    if (!parsePort(parts.at(0), start))
        return false;
    *end = *start;
    if (parts.size() > 1 && !parsePort(parts.at(1), end))
        return false;
    *outOfRange = *start > kMaxPort || *end > kMaxPort;
    return true;
}

// The name=value form (`-p target=80,published=8080,protocol=udp`) in the short form the docker
// CLI turns it into before parsing: "PUBLISHED:TARGET/PROTOCOL". Other names (mode, host_ip) are
// ignored by `docker run`, and so here.
Result<QString> standardNotation(const QString &entry)
{
    QString target;
    QString published;
    QString protocol = QStringLiteral("tcp");
    for (const QString &field : entry.split(QLatin1Char(','))) {
        const qsizetype eq = field.indexOf(QLatin1Char('='));
        if (eq <= 0)
            return invalid(QStringLiteral("The port '%1' mixes name=value fields with '%2': write "
                                          "target=PORT[,published=PORT][,protocol=tcp|udp|sctp].")
                               .arg(entry, field));
        const QString key = field.left(eq);
        const QString value = field.mid(eq + 1);
        if (key == QLatin1String("target"))
            target = value;
        else if (key == QLatin1String("published"))
            published = value;
        else if (key == QLatin1String("protocol"))
            protocol = value;
    }
    return QString(published + QLatin1Char(':') + target + QLatin1Char('/') + protocol);
}

QString formatRange(int start, int end)
{
    return start == end ? QString::number(start) : QStringLiteral("%1-%2").arg(start).arg(end);
}

bool isUnspecified(const QString &ip)
{
    return ip.isEmpty() || ip == QLatin1String("0.0.0.0") || ip == QLatin1String("::");
}

} // namespace

const QString &PortMapping::loopback()
{
    static const QString address = QStringLiteral("127.0.0.1");
    return address;
}

bool PortMapping::allInterfaces() const
{
    return isUnspecified(hostIp);
}

Result<PortMapping> PortMapping::parse(const QString &written)
{
    const QString example = QStringLiteral("such as 127.0.0.1:8888:8888 or 8000-8010:8000-8010");
    if (written.trimmed().isEmpty())
        return invalid(
            QStringLiteral("A port entry is empty: write [IP:][HOST_PORT:]CONTAINER_PORT, %1.")
                .arg(example));
    if (written != written.trimmed() || written.contains(QLatin1Char(' ')))
        return invalid(QStringLiteral("The port '%1' contains white space.").arg(written));
    QString entry = written;
    if (written.contains(QLatin1Char('='))) {
        const Result<QString> standard = standardNotation(written);
        if (!standard)
            return standard.error();
        entry = standard.value();
    }

    // splitParts: the container port is the last field, the host port the one before it, and
    // everything before those is the address (an IPv6 address has colons of its own).
    const QStringList parts = entry.split(QLatin1Char(':'));
    const qsizetype n = parts.size();
    QString ip;
    QString hostPort;
    QString containerPort = parts.last();
    if (n == 2) {
        hostPort = parts.at(0);
    } else if (n >= 3) {
        ip = parts.mid(0, n - 2).join(QLatin1Char(':'));
        hostPort = parts.at(n - 2);
    }
    // SplitProtoPort: "8888/udp"; no protocol (or an empty one) is tcp, and anything after a
    // second '/' is ignored.
    PortMapping mapping;
    const QStringList protoParts = containerPort.split(QLatin1Char('/'));
    containerPort = protoParts.at(0);
    if (protoParts.size() > 1 && !protoParts.at(1).isEmpty())
        mapping.protocol = protoParts.at(1).toLower();
    if (ip.startsWith(QLatin1Char('['))) {
        if (!ip.endsWith(QLatin1Char(']')))
            return invalid(
                QStringLiteral(
                    "The port '%1' opens an IPv6 address with '[' but does not close it with ']'.")
                    .arg(written));
        ip = ip.mid(1, ip.size() - 2);
    }
    if (!ip.isEmpty()) {
        // As Go's net.ParseIP: IPv4 in four decimal parts without leading zeros (QHostAddress
        // would also take "1.2.3" or "010.0.0.1"), or IPv6 without a zone.
        static const QRegularExpression ipv4(
            QStringLiteral("^(?:(?:0|[1-9][0-9]{0,2})\\.){3}(?:0|[1-9][0-9]{0,2})$"));
        QHostAddress address;
        const bool v6 = ip.contains(QLatin1Char(':'));
        if (ip.contains(QLatin1Char('%')) || (!v6 && !ipv4.match(ip).hasMatch())
            || !address.setAddress(ip))
            return invalid(
                QStringLiteral(
                    "The port '%1' has '%2' as its address, which is not an IPv4 or IPv6 "
                    "address: write one such as 127.0.0.1 or [::1], or leave it out.")
                    .arg(written, ip));
        mapping.hostIp = ip; // as written: the CLI sends the text, not a normalised address
    }
    if (containerPort.isEmpty())
        return invalid(
            QStringLiteral(
                "The port '%1' names no container port: write [IP:][HOST_PORT:]CONTAINER_PORT, %2.")
                .arg(written, example));
    bool outOfRange = false;
    if (!parseRange(containerPort, &mapping.containerStart, &mapping.containerEnd, &outOfRange))
        return invalid(QStringLiteral("The container port '%1' in '%2' is not a port number or a "
                                      "range such as 8000-8010.")
                           .arg(containerPort, written));
    if (outOfRange)
        return invalid(
            QStringLiteral("The container port '%1' in '%2' is out of range: ports are 0 to 65535.")
                .arg(containerPort, written));
    mapping.hostGiven = !hostPort.isEmpty();
    if (mapping.hostGiven) {
        if (!parseRange(hostPort, &mapping.hostStart, &mapping.hostEnd, &outOfRange))
            return invalid(
                QStringLiteral(
                    "The host port '%1' in '%2' is not a port number or a range such as 8000-8010.")
                    .arg(hostPort, written));
        if (outOfRange)
            return invalid(QStringLiteral("The host port '%1' in '%2' is out of range: ports are 0 "
                                          "to 65535 (0 or none lets the engine pick one).")
                               .arg(hostPort, written));
    }
    if (mapping.containerEnd < mapping.containerStart || mapping.hostEnd < mapping.hostStart)
        return invalid(
            QStringLiteral(
                "A port range in '%1' runs backwards: write the lower port first, as in 8000-8010.")
                .arg(written));
    const int containerCount = mapping.containerEnd - mapping.containerStart;
    const int hostCount = mapping.hostEnd - mapping.hostStart;
    if (mapping.hostGiven && containerCount != hostCount && containerCount != 0)
        return invalid(
            QStringLiteral(
                "The port '%1' maps %2 container ports onto %3 host ports: give both ranges "
                "the same length, or one container port.")
                .arg(written)
                .arg(containerCount + 1)
                .arg(hostCount + 1));
    static const QStringList protocols = {QStringLiteral("tcp"), QStringLiteral("udp"),
                                          QStringLiteral("sctp")};
    if (!protocols.contains(mapping.protocol))
        return invalid(QStringLiteral("The protocol '%1' in '%2' is not tcp, udp or sctp.")
                           .arg(mapping.protocol, written));
    return mapping;
}

QString PortMapping::containerPorts() const
{
    const QString ports = formatRange(containerStart, containerEnd);
    return protocol == QLatin1String("tcp") ? ports : ports + QLatin1Char('/') + protocol;
}

QString PortMapping::hostPorts() const
{
    return hostGiven ? formatRange(hostStart, hostEnd) : QString();
}

QList<PortMapping::Binding> PortMapping::bindings() const
{
    QList<Binding> out;
    for (int i = 0; i <= containerEnd - containerStart; ++i) {
        Binding binding;
        binding.port = QStringLiteral("%1/%2").arg(containerStart + i).arg(protocol);
        binding.hostIp = hostIp;
        if (hasHostPool())
            binding.hostPort = formatRange(hostStart, hostEnd); // the engine picks one of them
        else if (hostGiven)
            binding.hostPort = QString::number(hostStart + i); // "0" as docker sends it
        out.append(binding);
    }
    return out;
}

namespace PortMappings {

QString shortForm(const QString &entry)
{
    if (!entry.contains(QLatin1Char('=')))
        return entry;
    const Result<QString> standard = standardNotation(entry);
    return standard ? standard.value() : entry;
}

QJsonObject exposedPorts(const QStringList &entries)
{
    QJsonObject exposed;
    for (const QString &entry : entries) {
        if (const Result<PortMapping> mapping = PortMapping::parse(entry)) {
            for (const PortMapping::Binding &binding : mapping.value().bindings())
                exposed.insert(binding.port, QJsonObject{});
        }
    }
    return exposed;
}

QJsonObject portBindings(const QStringList &entries)
{
    QJsonObject bindings;
    for (const QString &entry : entries) {
        if (const Result<PortMapping> mapping = PortMapping::parse(entry)) {
            for (const PortMapping::Binding &binding : mapping.value().bindings()) {
                QJsonArray list = bindings.value(binding.port).toArray();
                list.append(QJsonObject{{QStringLiteral("HostIp"), binding.hostIp},
                                        {QStringLiteral("HostPort"), binding.hostPort}});
                bindings.insert(binding.port, list);
            }
        }
    }
    return bindings;
}

QJsonArray libpodPortMappings(const QStringList &entries)
{
    QJsonArray out;
    for (const QString &entry : entries) {
        const Result<PortMapping> parsed = PortMapping::parse(entry);
        if (!parsed)
            continue;
        const PortMapping &m = parsed.value();
        QJsonObject mapping{{QStringLiteral("container_port"), m.containerStart},
                            {QStringLiteral("protocol"), m.protocol}};
        if (m.hostStart > 0)
            mapping.insert(QStringLiteral("host_port"), m.hostStart);
        if (!m.hostIp.isEmpty())
            mapping.insert(QStringLiteral("host_ip"), m.hostIp);
        if (m.containerEnd > m.containerStart)
            mapping.insert(QStringLiteral("range"), m.containerEnd - m.containerStart + 1);
        out.append(mapping);
    }
    return out;
}

QList<ValidationIssue> validate(const QStringList &entries, const QString &networkMode, bool podman)
{
    QList<ValidationIssue> issues;
    const auto add = [&issues](const QString &message) {
        issues.append({QStringLiteral("ports"), message});
    };
    if (!entries.isEmpty()) {
        if (networkMode == QLatin1String("host"))
            add(QStringLiteral(
                "The network mode host shares the host's own ports, so none can be published: "
                "remove the ports or pick another network."));
        else if (networkMode == QLatin1String("none"))
            add(QStringLiteral(
                "The network mode none gives the container no network to publish ports from: "
                "remove the ports or pick a network."));
        else if (networkMode.startsWith(QLatin1String("container:")))
            add(QStringLiteral(
                    "The network mode %1 uses that container's network, so ports are published "
                    "there: remove them here or pick another network.")
                    .arg(networkMode));
    }
    struct Taken
    {
        QString entry;
        QString hostIp;
        QString protocol;
        int start;
        int end;
    };
    QList<Taken> taken;
    for (const QString &entry : entries) {
        const Result<PortMapping> parsed = PortMapping::parse(entry);
        if (!parsed) {
            add(parsed.error().why());
            continue;
        }
        const PortMapping &m = parsed.value();
        if (podman && m.hasHostPool()) {
            add(QStringLiteral(
                    "Podman cannot pick a host port from the range in '%1': give one host port per "
                    "container port.")
                    .arg(entry));
            continue;
        }
        if (m.hostStart == 0 || m.hasHostPool())
            continue; // the engine picks a free one
        const int start = m.hostStart;
        const int end = m.hostEnd;
        for (const Taken &other : taken) {
            const bool sameAddress = other.hostIp == m.hostIp || isUnspecified(other.hostIp)
                                     || isUnspecified(m.hostIp);
            const int overlap = std::max(start, other.start);
            if (sameAddress && other.protocol == m.protocol
                && overlap <= std::min(end, other.end)) {
                add(QStringLiteral("The host port %1/%2 is published twice, by '%3' and '%4': give "
                                   "each a port of "
                                   "its own.")
                        .arg(overlap)
                        .arg(m.protocol, other.entry, entry));
                break;
            }
        }
        taken.append({entry, m.hostIp, m.protocol, start, end});
    }
    return issues;
}

QList<Published> fromInspect(const QJsonObject &inspect)
{
    QList<Published> out;
    const QJsonObject ports = inspect.value(QStringLiteral("NetworkSettings"))
                                  .toObject()
                                  .value(QStringLiteral("Ports"))
                                  .toObject();
    for (auto it = ports.constBegin(); it != ports.constEnd(); ++it) {
        const int containerPort = it.key().section(QLatin1Char('/'), 0, 0).toInt();
        const QString protocol = it.key().section(QLatin1Char('/'), 1, 1);
        for (const QJsonValue &value : it.value().toArray()) {
            const QJsonObject binding = value.toObject();
            const int hostPort = binding.value(QStringLiteral("HostPort")).toString().toInt();
            if (containerPort > 0 && hostPort > 0)
                out.append({containerPort, protocol.isEmpty() ? QStringLiteral("tcp") : protocol,
                            binding.value(QStringLiteral("HostIp")).toString(), hostPort});
        }
    }
    std::stable_sort(out.begin(), out.end(), [](const Published &a, const Published &b) {
        return a.containerPort < b.containerPort;
    });
    return out;
}

} // namespace PortMappings
