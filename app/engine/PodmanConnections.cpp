#include "PodmanConnections.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QJsonDocument>
#include <QJsonObject>

#include <toml++/toml.h>

#include <algorithm>
#include <string_view>

#include <unistd.h>

namespace PodmanConnections {

namespace {

QString configHome(const QProcessEnvironment &env)
{
    const QString xdg = env.value(QStringLiteral("XDG_CONFIG_HOME"));
    if (!xdg.isEmpty())
        return xdg;
    const QString home = env.value(QStringLiteral("HOME"), QDir::homePath());
    return home + QStringLiteral("/.config");
}

Error unreadable(const QString &file, const QString &why)
{
    return Error(Error::Code::Io,
                 QStringLiteral("Podman's connections in %1 cannot be read").arg(file), why,
                 QStringLiteral("fix the file or list the connections with 'podman system "
                                "connection ls'"));
}

QString text(const toml::node_view<const toml::node> &node)
{
    const std::optional<std::string_view> value = node.value<std::string_view>();
    return value ? QString::fromUtf8(value->data(), qsizetype(value->size())) : QString();
}

// Reads a file that may be absent: nullopt when it does not exist.
std::optional<Result<QByteArray>> readIfThere(const QString &path)
{
    if (!QFileInfo::exists(path))
        return std::nullopt;
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly))
        return Result<QByteArray>(unreadable(path, file.errorString()));
    return Result<QByteArray>(file.readAll());
}

void merge(QList<PodmanConnection> &into, const QList<PodmanConnection> &from)
{
    for (const PodmanConnection &connection : from) {
        const auto same = std::find_if(into.begin(), into.end(), [&](const PodmanConnection &c) {
            return c.name == connection.name;
        });
        if (same != into.end())
            *same = connection;
        else
            into.append(connection);
    }
}

} // namespace

Result<QList<PodmanConnection>> parseContainersConf(const QByteArray &bytes, const QString &file,
                                                    QString *activeService)
{
    toml::table root;
    try {
        root = toml::parse(std::string_view(bytes.constData(), size_t(bytes.size())),
                           file.toStdString());
    } catch (const toml::parse_error &error) {
        return unreadable(file, QStringLiteral("line %1: %2")
                                    .arg(error.source().begin.line)
                                    .arg(QString::fromUtf8(error.description().data(),
                                                           qsizetype(error.description().size()))));
    }
    const toml::node_view<const toml::node> engine = std::as_const(
        root)[std::string_view("engine")];
    if (activeService)
        *activeService = text(engine[std::string_view("active_service")]);
    QList<PodmanConnection> connections;
    const toml::table *destinations = engine[std::string_view("service_destinations")].as_table();
    if (!destinations)
        return connections;
    for (const auto &[key, value] : *destinations) {
        const toml::table *entry = value.as_table();
        if (!entry)
            continue;
        PodmanConnection connection;
        connection.name = QString::fromUtf8(key.str().data(), qsizetype(key.str().size()));
        connection.uri = text((*entry)[std::string_view("uri")]);
        connection.identity = text((*entry)[std::string_view("identity")]);
        connection.tlsCa = text((*entry)[std::string_view("tls_ca")]);
        connection.tlsCert = text((*entry)[std::string_view("tls_cert")]);
        connection.tlsKey = text((*entry)[std::string_view("tls_key")]);
        connection.file = file;
        if (!connection.uri.isEmpty())
            connections.append(connection);
    }
    std::sort(connections.begin(), connections.end(),
              [](const PodmanConnection &a, const PodmanConnection &b) { return a.name < b.name; });
    return connections;
}

Result<QList<PodmanConnection>> parseConnectionsJson(const QByteArray &bytes, const QString &file)
{
    QJsonParseError error{};
    const QJsonDocument doc = QJsonDocument::fromJson(bytes, &error);
    if (!doc.isObject())
        return unreadable(file, error.error != QJsonParseError::NoError
                                    ? error.errorString()
                                    : QStringLiteral("it is not a JSON object"));
    const QJsonObject connection = doc.object().value(QStringLiteral("Connection")).toObject();
    const QString defaultName = connection.value(QStringLiteral("Default")).toString();
    const QJsonObject all = connection.value(QStringLiteral("Connections")).toObject();
    QList<PodmanConnection> connections;
    for (auto it = all.constBegin(); it != all.constEnd(); ++it) {
        const QJsonObject entry = it.value().toObject();
        PodmanConnection c;
        c.name = it.key();
        c.uri = entry.value(QStringLiteral("URI")).toString();
        c.identity = entry.value(QStringLiteral("Identity")).toString();
        c.tlsCa = entry.value(QStringLiteral("TLSCA")).toString();
        c.tlsCert = entry.value(QStringLiteral("TLSCert")).toString();
        c.tlsKey = entry.value(QStringLiteral("TLSKey")).toString();
        c.isDefault = c.name == defaultName;
        c.file = file;
        if (!c.uri.isEmpty())
            connections.append(c);
    }
    return connections; // QJsonObject keeps its keys sorted
}

Places Places::system()
{
    Places places;
    places.share = QStringLiteral("/usr/share/containers");
    places.etc = QStringLiteral("/etc/containers");
    places.uid = ::geteuid();
    return places;
}

QStringList confFiles(const QProcessEnvironment &env, const Places &places)
{
    QStringList files;
    const QString custom = env.value(QStringLiteral("CONTAINERS_CONF"));
    const auto file = [&](const QString &path) {
        if (QFileInfo(path).isFile())
            files << path;
    };
    // Podman reads a drop-in directory's *.conf files (not its subdirectories) by name.
    const auto dropIns = [&](const QString &dir) {
        QStringList names = QDir(dir).entryList({QStringLiteral("*.conf")},
                                                QDir::Files | QDir::Hidden);
        std::sort(names.begin(), names.end());
        for (const QString &name : std::as_const(names))
            files << dir + QLatin1Char('/') + name;
    };
    if (!custom.isEmpty()) {
        file(custom);
    } else {
        for (const QString &base : {places.share, places.etc}) {
            file(base + QStringLiteral("/containers.conf"));
            dropIns(base + QStringLiteral("/containers.conf.d"));
            if (places.uid == 0) {
                dropIns(base + QStringLiteral("/containers.rootful.conf.d"));
            } else {
                dropIns(base + QStringLiteral("/containers.rootless.conf.d"));
                dropIns(base + QStringLiteral("/containers.rootless.conf.d/")
                        + QString::number(places.uid));
            }
        }
        const QString user = configHome(env) + QStringLiteral("/containers/containers.conf");
        file(user);
        dropIns(user + QStringLiteral(".d"));
    }
    const QString override = env.value(QStringLiteral("CONTAINERS_CONF_OVERRIDE"));
    if (!override.isEmpty())
        file(override);
    return files;
}

Found read(const QProcessEnvironment &env, const Places &places)
{
    Found found;
    QString active;
    for (const QString &path : confFiles(env, places)) {
        const std::optional<Result<QByteArray>> bytes = readIfThere(path);
        if (!bytes)
            continue;
        if (!*bytes) {
            found.problems << bytes->error();
            continue;
        }
        QString fileActive;
        const Result<QList<PodmanConnection>> parsed = parseContainersConf(bytes->value(), path,
                                                                           &fileActive);
        if (!parsed) {
            found.problems << parsed.error();
            continue;
        }
        merge(found.connections, parsed.value());
        if (!fileActive.isEmpty())
            active = fileActive;
    }

    QString json = env.value(QStringLiteral("PODMAN_CONNECTIONS_CONF"));
    if (json.isEmpty())
        json = configHome(env) + QStringLiteral("/containers/podman-connections.json");
    if (const std::optional<Result<QByteArray>> bytes = readIfThere(json)) {
        const Result<QList<PodmanConnection>> parsed = *bytes ? parseConnectionsJson(bytes->value(),
                                                                                     json)
                                                              : Result<QList<PodmanConnection>>(
                                                                  bytes->error());
        if (!parsed) {
            found.problems << parsed.error();
        } else {
            merge(found.connections, parsed.value());
            for (const PodmanConnection &c : parsed.value()) {
                if (c.isDefault)
                    active = c.name;
            }
        }
    }
    for (PodmanConnection &connection : found.connections)
        connection.isDefault = connection.name == active;
    return found;
}

std::optional<PodmanConnection> find(const QString &name, const QProcessEnvironment &env)
{
    const Found found = read(env);
    for (const PodmanConnection &connection : found.connections) {
        if (connection.name == name)
            return connection;
    }
    return std::nullopt;
}

} // namespace PodmanConnections
