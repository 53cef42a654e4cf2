#include "CdiSpecVersions.h"

#include <QDir>
#include <QFile>
#include <QJsonValue>

#include <yaml-cpp/yaml.h>

#include <string>

namespace CdiSpecVersions {

const char *const kGenerateOlderSpec =
    "sudo nvidia-ctk cdi generate --feature-flag no-additional-gids-for-device-nodes "
    "--output=/etc/cdi/nvidia.yaml";

QString readVersion(const QString &path, QString *error)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly)) {
        if (error)
            *error = file.errorString();
        return {};
    }
    const QByteArray text = file.readAll();
    try {
        // JSON is YAML: one parser for both forms of a spec.
        const YAML::Node root = YAML::Load(std::string(text.constData(), size_t(text.size())));
        if (root.IsMap() && root["cdiVersion"] && root["cdiVersion"].IsScalar())
            return QString::fromStdString(root["cdiVersion"].as<std::string>());
        if (error)
            *error = QStringLiteral("it has no cdiVersion");
    } catch (const YAML::Exception &e) {
        if (error)
            *error = QString::fromStdString(e.what());
    }
    return {};
}

QString newestReadable(const EngineInfo &info)
{
    const QString version = info.serverVersion.section(QLatin1Char('+'), 0, 0);
    if (version.isEmpty())
        return {};
    // The CDI library each vendors: Podman 4.6 took v0.6.0 (spec 0.6.0; Podman 4.3 reads up to
    // 0.5.0), Podman 5.1 and Docker 26.1 read 0.7.0; Docker's CDI support began with spec 0.6.0.
    if (info.isPodman() && compareDottedVersions(version, QStringLiteral("4.6")) < 0)
        return QStringLiteral("0.5.0");
    const QString firstWith07 = info.isPodman() ? QStringLiteral("5.1") : QStringLiteral("26.1");
    return compareDottedVersions(version, firstWith07) < 0 ? QStringLiteral("0.6.0") : QString();
}

bool gpusThroughCdi(const EngineInfo &info)
{
    return !info.isPodman()
           && compareDottedVersions(info.serverVersion.section(QLatin1Char('+'), 0, 0),
                                    QStringLiteral("29.2"))
                  >= 0;
}

QStringList specDirsFor(const EngineInfo &info)
{
    QStringList dirs = info.cdiSpecDirs;
    bool rootless = false;
    for (const QJsonValue &option : info.raw.value(QStringLiteral("SecurityOptions")).toArray())
        rootless |=
            option.toString().split(QLatin1Char(',')).contains(QLatin1String("name=rootless"));
    if (!rootless || !gpusThroughCdi(info) || dirs.isEmpty())
        return dirs;
    QString config = qEnvironmentVariable("XDG_CONFIG_HOME");
    if (config.isEmpty())
        config = QDir::homePath() + QStringLiteral("/.config");
    const QString userDir = QDir::cleanPath(config + QStringLiteral("/cdi"));
    if (!dirs.contains(userDir))
        dirs.append(userDir);
    return dirs;
}

Report check(const QStringList &files, const EngineInfo &info)
{
    Report report;
    const QString newest = newestReadable(info);
    if (newest.isEmpty())
        return report;
    for (const QString &file : files) {
        const QString version = readVersion(file);
        if (!version.isEmpty() && compareDottedVersions(version, newest) > 0)
            report.unreadable << QStringLiteral("%1 (cdiVersion %2)").arg(file, version);
    }
    if (report.ok())
        return report;
    report.detail = QStringLiteral(
                        "%1 reads CDI specifications up to version %2, so it ignores %3.")
                        .arg(info.productName(), newest,
                             report.unreadable.join(QStringLiteral(", ")));
    report.fix = QStringLiteral(
                     "Regenerate the specification in a form it reads (the NVIDIA Container "
                     "Toolkit writes 0.7.0 from 1.19 on unless told otherwise), or upgrade to "
                     "%1 or newer.")
                     .arg(info.isPodman() ? QStringLiteral("Podman 5.1")
                                          : QStringLiteral("Docker 26.1"));
    report.command = QString::fromLatin1(kGenerateOlderSpec);
    return report;
}

} // namespace CdiSpecVersions
