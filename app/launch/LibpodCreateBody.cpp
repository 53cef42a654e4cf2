#include "LibpodCreateBody.h"

#include "ByteSize.h"
#include "CdiNames.h"
#include "LaunchSpec.h"
#include "PortMapping.h"
#include "Ulimit.h"

namespace LibpodCreateBody {

QJsonObject build(const LaunchSpec &spec)
{
    QJsonObject body;
    body.insert(QStringLiteral("image"), spec.image);
    if (!spec.command.isEmpty())
        body.insert(QStringLiteral("command"), QJsonArray::fromStringList(spec.command));
    if (!spec.env.isEmpty()) {
        QJsonObject vars;
        for (const QString &entry : spec.env) {
            const int eq = entry.indexOf(QLatin1Char('='));
            if (eq > 0)
                vars.insert(entry.left(eq), entry.mid(eq + 1));
        }
        body.insert(QStringLiteral("env"), vars);
    }
    body.insert(QStringLiteral("terminal"), spec.tty);
    body.insert(QStringLiteral("stdin"), spec.interactive);
    if (!spec.user.isEmpty())
        body.insert(QStringLiteral("user"), spec.user);
    if (!spec.workdir.isEmpty())
        body.insert(QStringLiteral("work_dir"), spec.workdir);
    if (spec.entrypoint)
        body.insert(QStringLiteral("entrypoint"), QJsonArray::fromStringList(*spec.entrypoint));
    if (!spec.ulimits.isEmpty()) {
        QJsonArray limits;
        for (const QString &value : spec.ulimits) {
            if (const Result<Ulimit> limit = Ulimit::parse(value)) {
                QJsonObject entry;
                entry.insert(QStringLiteral("type"),
                             QString(QStringLiteral("RLIMIT_") + limit.value().name.toUpper()));
                entry.insert(QStringLiteral("soft"), limit.value().soft);
                entry.insert(QStringLiteral("hard"), limit.value().hard);
                limits.append(entry);
            }
        }
        body.insert(QStringLiteral("r_limits"), limits);
    }
    body.insert(QStringLiteral("remove"), spec.autoRemove);
    if (!spec.containerName.isEmpty())
        body.insert(QStringLiteral("name"), spec.containerName);
    if (!spec.runtime.isEmpty())
        body.insert(QStringLiteral("oci_runtime"), spec.runtime);
    if (const auto bytes = ByteSize::ifSet(spec.shmSize))
        body.insert(QStringLiteral("shm_size"), *bytes);
    const auto namespaceOf = [](const QString &mode) {
        if (mode.startsWith(QLatin1String("container:")))
            return QJsonObject{{QStringLiteral("nsmode"), QStringLiteral("container")},
                               {QStringLiteral("value"), mode.mid(10)}};
        return QJsonObject{{QStringLiteral("nsmode"), mode}};
    };
    if (!spec.ipcMode.isEmpty())
        body.insert(QStringLiteral("ipcns"), namespaceOf(spec.ipcMode));
    if (!spec.networkMode.isEmpty()) {
        static const QStringList modes = {QStringLiteral("none"), QStringLiteral("host"),
                                          QStringLiteral("bridge"), QStringLiteral("private")};
        if (modes.contains(spec.networkMode)
            || spec.networkMode.startsWith(QLatin1String("container:"))) {
            body.insert(QStringLiteral("netns"), namespaceOf(spec.networkMode));
        } else {
            body.insert(QStringLiteral("netns"), namespaceOf(QStringLiteral("bridge")));
            body.insert(QStringLiteral("Networks"), QJsonObject{{spec.networkMode, QJsonObject{}}});
        }
    }
    if (!spec.ports.isEmpty())
        body.insert(QStringLiteral("portmappings"), PortMappings::libpodPortMappings(spec.ports));
    if (!spec.labels.isEmpty())
        body.insert(QStringLiteral("labels"), spec.labels);
    QJsonArray mounts;
    QJsonArray volumes;
    for (const QString &bind : spec.binds) {
        const QStringList parts = bind.split(QLatin1Char(':'));
        const QStringList options = parts.size() > 2 ? parts.at(2).split(QLatin1Char(','))
                                                     : QStringList();
        if (parts.value(0).startsWith(QLatin1Char('/'))) {
            mounts.append(QJsonObject{{QStringLiteral("destination"), parts.value(1)},
                                      {QStringLiteral("source"), parts.value(0)},
                                      {QStringLiteral("type"), QStringLiteral("bind")},
                                      {QStringLiteral("options"),
                                       QJsonArray::fromStringList(
                                           QStringList{QStringLiteral("rbind")} + options)}});
        } else {
            volumes.append(
                QJsonObject{{QStringLiteral("Name"), parts.value(0)},
                            {QStringLiteral("Dest"), parts.value(1)},
                            {QStringLiteral("Options"), QJsonArray::fromStringList(options)}});
        }
    }
    if (!mounts.isEmpty())
        body.insert(QStringLiteral("mounts"), mounts);
    if (!volumes.isEmpty())
        body.insert(QStringLiteral("volumes"), volumes);
    QJsonArray devices;
    for (const QString &name : CdiNames::forGpus(spec.gpus))
        devices.append(QJsonObject{{QStringLiteral("path"), name}});
    if (!devices.isEmpty())
        body.insert(QStringLiteral("devices"), devices);
    return body;
}

} // namespace LibpodCreateBody
