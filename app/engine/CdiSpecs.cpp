#include "CdiSpecs.h"

#include "CdiSpecVersions.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QHash>
#include <QJsonDocument>
#include <QSet>

#include <yaml-cpp/yaml.h>

#include <string>

namespace {

// A spec as far as device names go: {"cdiVersion", "kind", "devices": [{"name"}]}.
QList<CdiDevice> devicesOf(const QString &kind, const QStringList &names, const QString &source,
                           QString *error)
{
    if (!kind.contains(QLatin1Char('/'))) {
        *error = QStringLiteral("%1: its \"kind\" '%2' is not vendor/class").arg(source, kind);
        return {};
    }
    QList<CdiDevice> devices;
    for (const QString &name : names) {
        if (name.isEmpty())
            continue;
        devices.append({kind + QLatin1Char('=') + name, source});
    }
    return devices;
}

} // namespace

QList<CdiDevice> CdiInventory::parseSpec(const QByteArray &text, bool yaml, const QString &source,
                                         QString *error)
{
    QString kind;
    QStringList names;
    if (!yaml) {
        QJsonParseError parseError;
        const QJsonDocument doc = QJsonDocument::fromJson(text, &parseError);
        if (!doc.isObject()) {
            *error =
                QStringLiteral("%1: not a JSON object (%2)").arg(source, parseError.errorString());
            return {};
        }
        kind = doc.object().value(QStringLiteral("kind")).toString();
        const QJsonArray devices = doc.object().value(QStringLiteral("devices")).toArray();
        for (const QJsonValue &device : devices)
            names << device.toObject().value(QStringLiteral("name")).toString();
    } else {
        try {
            const YAML::Node root = YAML::Load(std::string(text.constData(), size_t(text.size())));
            if (!root.IsMap()) {
                *error = QStringLiteral("%1: not a YAML mapping").arg(source);
                return {};
            }
            if (root["kind"])
                kind = QString::fromStdString(root["kind"].as<std::string>());
            const YAML::Node devices = root["devices"];
            if (devices && devices.IsSequence()) {
                for (const YAML::Node &device : devices) {
                    if (device.IsMap() && device["name"])
                        names << QString::fromStdString(device["name"].as<std::string>());
                }
            }
        } catch (const YAML::Exception &e) {
            *error = QStringLiteral("%1: %2").arg(source, QString::fromStdString(e.what()));
            return {};
        }
    }
    return devicesOf(kind, names, source, error);
}

QList<CdiDevice> CdiInventory::readSpecFile(const QString &path, QString *error)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly)) {
        *error = QStringLiteral("%1: %2").arg(path, file.errorString());
        return {};
    }
    return parseSpec(file.readAll(), !path.endsWith(QLatin1String(".json")), path, error);
}

CdiInventory CdiInventory::fromSpecDirs(const QStringList &dirs)
{
    CdiInventory inventory;
    QHash<QString, QStringList> definedIn;
    QList<CdiDevice> all;
    for (const QString &dirPath : dirs) {
        const QDir dir(dirPath);
        if (!dir.exists())
            continue;
        const QFileInfoList entries = dir.entryInfoList({QStringLiteral("*.json"),
                                                         QStringLiteral("*.yaml"),
                                                         QStringLiteral("*.yml")},
                                                        QDir::Files | QDir::Readable, QDir::Name);
        for (const QFileInfo &entry : entries) {
            QString error;
            const QList<CdiDevice> devices = readSpecFile(entry.absoluteFilePath(), &error);
            inventory.files << entry.absoluteFilePath();
            if (!error.isEmpty()) {
                inventory.problems << error;
                continue;
            }
            for (const CdiDevice &device : devices) {
                definedIn[device.name] << device.source;
                all << device;
            }
        }
    }
    for (const CdiDevice &device : std::as_const(all)) {
        const QStringList &files = definedIn.value(device.name);
        if (files.size() == 1) {
            inventory.devices << device;
        } else if (files.first() == device.source) {
            inventory.problems << QStringLiteral(
                                      "%1 is defined in %2, so the engine can use none of them")
                                      .arg(device.name, files.join(QStringLiteral(" and ")));
        }
    }
    return inventory;
}

CdiInventory CdiInventory::fromDiscovered(const QJsonArray &discovered)
{
    CdiInventory inventory;
    for (const QJsonValue &value : discovered) {
        const QJsonObject device = value.toObject();
        if (device.value(QStringLiteral("Source")).toString() != QLatin1String("cdi"))
            continue;
        const QString id = device.value(QStringLiteral("ID")).toString();
        if (!id.isEmpty())
            inventory.devices << CdiDevice{id, QStringLiteral("engine")};
    }
    return inventory;
}

CdiInventory CdiInventory::forEngine(const EngineInfo &info, bool local)
{
    if (!info.cdiEnabled())
        return {};
    CdiInventory inventory = local ? fromSpecDirs(CdiSpecVersions::specDirsFor(info))
                                   : CdiInventory();
    const CdiInventory discovered = fromDiscovered(info.discoveredDevices);
    for (const CdiDevice &device : discovered.devices) {
        if (!inventory.contains(device.name))
            inventory.devices << device;
    }
    return inventory;
}

bool CdiInventory::contains(const QString &name) const
{
    for (const CdiDevice &device : devices) {
        if (device.name == name)
            return true;
    }
    return false;
}

QStringList CdiInventory::names() const
{
    QStringList list;
    for (const CdiDevice &device : devices)
        list << device.name;
    return list;
}

QJsonArray CdiInventory::toJson() const
{
    QJsonArray list;
    for (const CdiDevice &device : devices)
        list.append(QJsonObject{{QStringLiteral("name"), device.name},
                                {QStringLiteral("source"), device.source}});
    return list;
}
