#include "LaunchSpec.h"

#include "ByteSize.h"
#include "CdiNames.h"
#include "Ulimit.h"

#include "PortMapping.h"

#include <QRegularExpression>
#include <QSet>

namespace {

QString capGpu()
{
    return QStringLiteral("gpu");
}

// Docker's reference grammar (distribution/reference), kept in one expression.
const QRegularExpression &imageReferencePattern()
{
    static const QRegularExpression pattern(
        QStringLiteral("^(?:(?:(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])"
                       "(?:\\.(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9]))*"
                       "|\\[[a-fA-F0-9:]+\\])(?::[0-9]+)?/)?"          // registry host[:port]/
                       "[a-z0-9]+(?:(?:[._]|__|[-]+)[a-z0-9]+)*"       // first path component
                       "(?:/[a-z0-9]+(?:(?:[._]|__|[-]+)[a-z0-9]+)*)*" // more path components
                       "(?::[A-Za-z0-9_][A-Za-z0-9_.-]{0,127})?"       // :tag
                       "(?:@sha256:[a-f0-9]{64})?$"));                 // @digest
    return pattern;
}

QString checkImage(const QString &image)
{
    if (image.trimmed().isEmpty())
        return QStringLiteral(
            "No image is given: name one, such as nvidia/cuda:12.4.1-base-ubuntu22.04.");
    if (imageReferencePattern().match(image).hasMatch()) {
        QString name = image.left(
            image.indexOf(QLatin1Char('@')) < 0 ? image.size() : image.indexOf(QLatin1Char('@')));
        if (name.lastIndexOf(QLatin1Char(':')) > name.lastIndexOf(QLatin1Char('/')))
            name.truncate(name.lastIndexOf(QLatin1Char(':')));
        if (name.size() > 255)
            return QStringLiteral("The image name is longer than 255 characters.");
        return {};
    }
    // Say which rule was broken where it is easy to tell.
    const int at = image.indexOf(QLatin1Char('@'));
    if (at >= 0) {
        static const QRegularExpression digest(QStringLiteral("^sha256:[a-f0-9]{64}$"));
        if (!digest.match(image.mid(at + 1)).hasMatch())
            return QStringLiteral(
                       "The image digest '%1' is not sha256: followed by 64 lowercase hex digits.")
                .arg(image.mid(at + 1));
    }
    const QString name = at < 0 ? image : image.left(at);
    const int slash = name.lastIndexOf(QLatin1Char('/'));
    const int colon = name.lastIndexOf(QLatin1Char(':'));
    if (colon > slash) {
        const QString tag = name.mid(colon + 1);
        if (tag.size() > 128)
            return QStringLiteral("The image tag is longer than 128 characters.");
        static const QRegularExpression tagPattern(QStringLiteral("^[A-Za-z0-9_][A-Za-z0-9_.-]*$"));
        if (!tagPattern.match(tag).hasMatch())
            return QStringLiteral(
                       "The image tag '%1' may only hold letters, digits, '_', '.' and '-', "
                       "and may not start with '.' or '-'.")
                .arg(tag);
    }
    if (image.contains(QRegularExpression(QStringLiteral("\\s"))))
        return QStringLiteral("The image reference '%1' contains white space.").arg(image);
    const QString path = colon > slash ? name.left(colon) : name;
    const QString repo = slash >= 0 ? path.mid(path.indexOf(QLatin1Char('/')) + 1) : path;
    if (repo != repo.toLower())
        return QStringLiteral("The image repository '%1' must be lowercase.").arg(repo);
    return QStringLiteral("'%1' is not a valid image reference: expected "
                          "[registry/]name[:tag][@sha256:digest] "
                          "with lowercase names.")
        .arg(image);
}

bool hasNul(const QString &text)
{
    return text.contains(QChar(0));
}

bool isCdiName(const QString &id)
{
    // vendor/class=name, as the CDI spec qualifies device names.
    static const QRegularExpression pattern(QStringLiteral(
        "^[A-Za-z0-9][A-Za-z0-9.-]*[A-Za-z0-9]?/[A-Za-z0-9][A-Za-z0-9_-]*=[A-Za-z0-9_.:-]+$"));
    return pattern.match(id).hasMatch();
}

QString checkBind(const QString &bind)
{
    const QStringList parts = bind.split(QLatin1Char(':'));
    if (parts.size() < 2 || parts.size() > 3)
        return QStringLiteral("The bind '%1' is not SOURCE:TARGET[:OPTIONS].").arg(bind);
    if (parts.at(0).isEmpty())
        return QStringLiteral("The bind '%1' has no source.").arg(bind);
    if (!parts.at(1).startsWith(QLatin1Char('/')))
        return QStringLiteral("The bind '%1' needs an absolute target path in the container.")
            .arg(bind);
    if (parts.size() == 3) {
        static const QSet<QString> known = {QStringLiteral("ro"),      QStringLiteral("rw"),
                                            QStringLiteral("z"),       QStringLiteral("Z"),
                                            QStringLiteral("shared"),  QStringLiteral("rshared"),
                                            QStringLiteral("slave"),   QStringLiteral("rslave"),
                                            QStringLiteral("private"), QStringLiteral("rprivate"),
                                            QStringLiteral("nocopy")};
        for (const QString &option : parts.at(2).split(QLatin1Char(','))) {
            if (!known.contains(option))
                return QStringLiteral(
                           "The bind '%1' has an unknown option '%2' (use ro, rw, z, Z or a "
                           "propagation mode).")
                    .arg(bind, option);
        }
    }
    return {};
}

QString checkIpcMode(const QString &mode)
{
    static const QSet<QString> known = {QStringLiteral("none"), QStringLiteral("private"),
                                        QStringLiteral("shareable"), QStringLiteral("host")};
    if (mode.isEmpty() || known.contains(mode))
        return {};
    if (mode.startsWith(QLatin1String("container:")) && mode.size() > 10)
        return {};
    return QStringLiteral("The IPC mode '%1' is not one of none, private, shareable, host or "
                          "container:NAME.")
        .arg(mode);
}

} // namespace

int compareApiVersions(const QString &a, const QString &b)
{
    const auto parts = [](const QString &v) {
        const QStringList p = v.split(QLatin1Char('.'));
        return std::make_pair(p.value(0).toInt(), p.value(1).toInt());
    };
    const auto pa = parts(a);
    const auto pb = parts(b);
    return pa < pb ? -1 : (pb < pa ? 1 : 0);
}

const QStringList &LaunchSpec::knownCapabilities()
{
    static const QStringList caps = {QStringLiteral("compute"),  QStringLiteral("utility"),
                                     QStringLiteral("graphics"), QStringLiteral("video"),
                                     QStringLiteral("display"),  QStringLiteral("compat32")};
    return caps;
}

QStringList LaunchSpec::requestCapabilities() const
{
    QStringList caps;
    for (const QString &cap : capabilities) {
        if (cap != capGpu() && !caps.contains(cap))
            caps << cap;
    }
    caps << capGpu();
    return caps;
}

QList<ValidationIssue> LaunchSpec::validate(const QString &apiVersion, EngineKind kind) const
{
    QList<ValidationIssue> issues;
    const auto add = [&issues](const char *field, const QString &message) {
        issues.append({QLatin1String(field), message});
    };

    if (const QString problem = checkImage(image); !problem.isEmpty())
        add("image", problem);

    for (const QString &limit : ulimits) {
        if (const Result<Ulimit> parsed = Ulimit::parse(limit); !parsed)
            add("ulimits", parsed.error().message());
    }

    for (const QString &arg : command) {
        if (hasNul(arg)) {
            add("command", QStringLiteral("A command argument contains a NUL character, which no "
                                          "program can receive."));
            break;
        }
    }

    static const QRegularExpression namePattern(QStringLiteral("^[a-zA-Z0-9][a-zA-Z0-9_.-]+$"));
    if (!containerName.isEmpty() && !namePattern.match(containerName).hasMatch())
        add("containerName",
            QStringLiteral("The container name '%1' must start with a letter or digit "
                           "and hold at least two of letters, digits, '_', '.' and '-'.")
                .arg(containerName));

    for (const QString &entry : env) {
        const int eq = entry.indexOf(QLatin1Char('='));
        if (hasNul(entry))
            add("env", QStringLiteral("The environment entry '%1' contains a NUL character.")
                           .arg(entry.left(entry.indexOf(QChar(0)))));
        else if (eq < 0)
            add("env", QStringLiteral("The environment entry '%1' has no '=': write KEY=value.")
                           .arg(entry));
        else if (eq == 0)
            add("env",
                QStringLiteral("The environment entry '%1' has an empty variable name.").arg(entry));
    }

    const bool cdi = deviceDriver == QLatin1String("cdi");
    if (!deviceDriver.isEmpty() && deviceDriver != QLatin1String("nvidia") && !cdi)
        add("deviceDriver", QStringLiteral("The device driver '%1' is not one of \"\" (automatic), "
                                           "nvidia or cdi.")
                                .arg(deviceDriver));

    const bool podman = kind == EngineKind::Podman;
    if (podman && deviceDriver == QLatin1String("nvidia") && usesGpus())
        add("deviceDriver",
            QStringLiteral("Podman takes GPUs only as CDI devices, not through the nvidia "
                           "device driver: choose CDI or automatic."));
    if (podman && runtime == QLatin1String("nvidia"))
        add("runtime",
            QStringLiteral("Podman has no \"nvidia\" runtime: its containers get GPUs as CDI "
                           "devices. Leave the runtime on the default."));

    switch (gpus.mode) {
    case GpuSelection::Mode::None:
    case GpuSelection::Mode::All: break;
    case GpuSelection::Mode::Count:
    case GpuSelection::Mode::Free:
        if (gpus.count < 1)
            add("gpus",
                QStringLiteral("The GPU count must be at least 1 (it is %1).").arg(gpus.count));
        break;
    case GpuSelection::Mode::Devices:
        if (gpus.devices.isEmpty()) {
            add("gpus",
                QStringLiteral("No GPU devices are picked: pick at least one, or ask for all "
                               "GPUs or a count."));
            break;
        }
        for (const QString &id : gpus.devices) {
            if (id.trimmed().isEmpty() || id.contains(QLatin1Char(','))) {
                add("gpus",
                    QStringLiteral("The GPU device '%1' is empty or contains a comma.").arg(id));
            } else if ((cdi || podman) && !isCdiName(CdiNames::nameFor(id))) {
                add("gpus", QStringLiteral("The CDI device '%1' is not a qualified name "
                                           "vendor/class=name, such as nvidia.com/gpu=0.")
                                .arg(id));
            }
        }
        break;
    }
    if (cdi && !podman && usesGpus() && !apiVersion.isEmpty()
        && compareApiVersions(apiVersion, QStringLiteral("1.44")) < 0)
        add("deviceDriver",
            QStringLiteral("The engine speaks API %1, and CDI devices need API 1.44 "
                           "(Docker 25) or newer: update the engine or use the nvidia "
                           "driver.")
                .arg(apiVersion));

    for (const QString &cap : capabilities) {
        if (cap != capGpu() && !knownCapabilities().contains(cap))
            add("capabilities", QStringLiteral("The capability '%1' is unknown: use %2.")
                                    .arg(cap, knownCapabilities().join(QStringLiteral(", "))));
    }

    if (runtime.contains(QRegularExpression(QStringLiteral("[\\s\\x00]"))))
        add("runtime", QStringLiteral("The runtime name '%1' contains white space.").arg(runtime));

    if (!shmSize.isEmpty()) {
        if (const auto size = ByteSize::parse(shmSize); !size)
            add("shmSize", size.error().why());
    }
    if (const QString problem = checkIpcMode(ipcMode); !problem.isEmpty())
        add("ipcMode", problem);
    for (const QString &bind : binds) {
        if (const QString problem = checkBind(bind); !problem.isEmpty())
            add("binds", problem);
    }
    if (networkMode.contains(QRegularExpression(QStringLiteral("[\\s\\x00]"))))
        add("networkMode",
            QStringLiteral("The network mode '%1' contains white space.").arg(networkMode));
    issues += PortMappings::validate(ports, networkMode, podman);
    return issues;
}

LaunchSpec LaunchSpec::resolvedFor(EngineKind kind) const
{
    LaunchSpec spec = *this;
    if (kind == EngineKind::Podman && spec.usesGpus())
        spec.deviceDriver = QStringLiteral("cdi");
    return spec;
}

bool LaunchSpec::operator==(const LaunchSpec &o) const
{
    return image == o.image && command == o.command && gpus == o.gpus
           && capabilities == o.capabilities && deviceDriver == o.deviceDriver
           && runtime == o.runtime && env == o.env && autoRemove == o.autoRemove && tty == o.tty
           && containerName == o.containerName && shmSize == o.shmSize && ipcMode == o.ipcMode
           && binds == o.binds && networkMode == o.networkMode && ports == o.ports
           && interactive == o.interactive && user == o.user && workdir == o.workdir
           && entrypoint == o.entrypoint && ulimits == o.ulimits && labels == o.labels;
}
