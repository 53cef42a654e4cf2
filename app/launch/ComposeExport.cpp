#include "ComposeExport.h"

#include "ByteSize.h"
#include "CdiNames.h"
#include "DockerRunExport.h"
#include "LaunchSpec.h"
#include "PortMapping.h"
#include "Ulimit.h"
#include "YamlText.h"

#include <QJsonArray>
#include <QRegularExpression>

namespace {

// Compose replaces ${VAR} and $VAR in every string of the file; "$$" is a literal "$".
QString literal(const QString &text)
{
    QString escaped = text;
    escaped.replace(QLatin1Char('$'), QStringLiteral("$$"));
    return YamlText::quoted(escaped);
}

void blockList(QString &text, const QString &indent, const QStringList &items)
{
    for (const QString &item : items)
        text += indent + QStringLiteral("- ") + literal(item) + QLatin1Char('\n');
}

// A bind's source that is not a path names a volume, which compose wants declared.
bool isNamedVolume(const QString &bind)
{
    const QString source = bind.section(QLatin1Char(':'), 0, 0);
    return !source.startsWith(QLatin1Char('/')) && !source.startsWith(QLatin1Char('.'))
           && !source.startsWith(QLatin1Char('~'));
}

} // namespace

QString ComposeExport::serviceName(const LaunchSpec &spec)
{
    // Compose service names: lowercase letters, digits, '_', '.' and '-', starting alphanumeric.
    QString name = spec.containerName.toLower();
    name.replace(QRegularExpression(QStringLiteral("[^a-z0-9_.-]")), QStringLiteral("-"));
    name.remove(QRegularExpression(QStringLiteral("^[^a-z0-9]+")));
    return name.isEmpty() ? QStringLiteral("gpu") : name;
}

QString ComposeExport::yaml(const LaunchSpec &spec, const ExportTarget &target)
{
    const QString in2 = QStringLiteral("    ");
    const QString in3 = QStringLiteral("      ");

    QString text = QStringLiteral(
        "# Exported by GPU Deck. Start it with: docker compose -f THIS_FILE up\n"
        "# (Compose 2.x; the GPU reservation needs the NVIDIA Container Toolkit on the host.)\n");
    if (spec.autoRemove)
        text += QStringLiteral(
            "# Compose keeps the container after it exits; `docker compose down` removes it.\n");
    if (spec.usesGpus() && target.dropsDeviceRequests())
        // podman-compose hands a service's devices (the CDI names) to podman run.
        text += QStringLiteral("# Podman %1 drops the GPUs docker compose asks for here (Podman "
                               "before 5.4 ignores\n# them): the container would run without "
                               "them. %2\n#   %3\n")
                    .arg(target.podmanVersion,
                         spec.usesCdi() ? QStringLiteral("Start it with podman-compose, which "
                                                         "passes the CDI\n# devices on, or run "
                                                         "it with podman:")
                                        : QStringLiteral("Run it with podman:"),
                         DockerRunExport::podmanCommandLine(spec, false));
    else if (spec.usesCdi())
        text += QStringLiteral(
            "# On Podman, start it with podman-compose: Podman before 5.4 ignores the CDI devices\n"
            "# that docker compose asks for, and the container would run without its GPUs.\n");
    text += QStringLiteral("services:\n  %1:\n").arg(serviceName(spec));
    text += in2 + QStringLiteral("image: ") + literal(spec.image) + QLatin1Char('\n');
    if (!spec.containerName.isEmpty())
        text += in2 + QStringLiteral("container_name: ") + literal(spec.containerName)
                + QLatin1Char('\n');
    if (!spec.command.isEmpty()) {
        text += in2 + QStringLiteral("command:\n");
        blockList(text, in3, spec.command);
    }
    if (!spec.env.isEmpty()) {
        text += in2 + QStringLiteral("environment:\n");
        blockList(text, in3, spec.env);
    }
    if (spec.tty)
        text += in2 + QStringLiteral("tty: true\n");
    if (spec.interactive)
        text += in2 + QStringLiteral("stdin_open: true\n");
    if (!spec.user.isEmpty())
        text += in2 + QStringLiteral("user: ") + literal(spec.user) + QLatin1Char('\n');
    if (!spec.workdir.isEmpty())
        text += in2 + QStringLiteral("working_dir: ") + literal(spec.workdir) + QLatin1Char('\n');
    if (spec.entrypoint) {
        text += in2 + QStringLiteral("entrypoint:\n");
        blockList(text, in3, *spec.entrypoint);
    }
    const QJsonArray ulimits = Ulimit::hostConfig(spec.ulimits);
    if (!ulimits.isEmpty()) {
        text += in2 + QStringLiteral("ulimits:\n");
        for (const QJsonValue &limit : ulimits) {
            text += in3
                    + QStringLiteral("%1:\n%2  soft: %3\n%2  hard: %4\n")
                          .arg(limit[QStringLiteral("Name")].toString(), in3)
                          .arg(limit[QStringLiteral("Soft")].toInteger())
                          .arg(limit[QStringLiteral("Hard")].toInteger());
        }
    }
    if (!spec.runtime.isEmpty())
        text += in2 + QStringLiteral("runtime: ") + literal(spec.runtime) + QLatin1Char('\n');
    if (const auto bytes = ByteSize::ifSet(spec.shmSize)) // bytes, as the engine gets them
        text += in2 + QStringLiteral("shm_size: %1\n").arg(*bytes);
    if (!spec.ipcMode.isEmpty())
        text += in2 + QStringLiteral("ipc: ") + literal(spec.ipcMode) + QLatin1Char('\n');
    if (!spec.networkMode.isEmpty())
        text += in2 + QStringLiteral("network_mode: ") + literal(spec.networkMode)
                + QLatin1Char('\n');
    const QStringList &binds = spec.binds;
    if (!binds.isEmpty()) {
        text += in2 + QStringLiteral("volumes:\n");
        blockList(text, in3, binds);
    }
    if (!spec.ports.isEmpty()) {
        // Compose reads its short port syntax with the same rules as docker run -p.
        text += in2 + QStringLiteral("ports:\n");
        QStringList ports;
        for (const QString &entry : spec.ports)
            ports << PortMappings::shortForm(entry);
        blockList(text, in3, ports);
    }

    if (spec.usesCdi()) {
        // What `docker run --device NAME` does: compose turns CDI names into the cdi request.
        text += in2 + QStringLiteral("devices:\n");
        blockList(text, in3, CdiNames::forGpus(spec.gpus));
    } else if (spec.usesGpus()) {
        const QString in5 = QStringLiteral("          ");
        text += in2 + QStringLiteral("deploy:\n") + in2 + QStringLiteral("  resources:\n") + in2
                + QStringLiteral("    reservations:\n") + in2 + QStringLiteral("      devices:\n");
        QStringList fields;
        if (!spec.deviceDriver.isEmpty())
            fields << QStringLiteral("driver: ") + literal(spec.deviceDriver);
        // count or device_ids, never both: the engine refuses a request with both.
        if (spec.gpus.mode == GpuSelection::Mode::Devices)
            fields << QStringLiteral("device_ids: ") + YamlText::flowList(spec.gpus.devices);
        else if (spec.gpus.mode == GpuSelection::Mode::All)
            fields << QStringLiteral("count: all");
        else
            fields << QStringLiteral("count: %1").arg(spec.gpus.count);
        fields << QStringLiteral("capabilities: ") + YamlText::flowList(spec.requestCapabilities());
        for (int i = 0; i < fields.size(); ++i)
            text += in5 + (i == 0 ? QStringLiteral("- ") : QStringLiteral("  ")) + fields.at(i)
                    + QLatin1Char('\n');
    }

    QStringList volumes;
    for (const QString &bind : binds) {
        if (isNamedVolume(bind))
            volumes << bind.section(QLatin1Char(':'), 0, 0);
    }
    volumes.removeDuplicates();
    if (!volumes.isEmpty()) {
        // name: keeps the volume's own name, as docker run -v uses it, instead of PROJECT_name.
        text += QStringLiteral("volumes:\n");
        for (const QString &volume : volumes)
            text += QStringLiteral("  %1:\n    name: %2\n").arg(literal(volume), literal(volume));
    }
    return text;
}
