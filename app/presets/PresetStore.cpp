#include "PresetStore.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QJsonDocument>
#include <QJsonObject>
#include <QLoggingCategory>
#include <QSaveFile>
#include <QStandardPaths>

#include <algorithm>

Q_LOGGING_CATEGORY(lcPresets, "gpudeck.presets", QtInfoMsg)

namespace {

constexpr qint64 kMaxFileSize = 1024 * 1024;

Error storeError(const QString &what, const QString &why, const QString &hint = {})
{
    return Error(Error::Code::Usage, what, why, hint);
}

} // namespace

PresetStore::PresetStore(const QString &directory)
    : m_directory(directory.isEmpty() ? defaultDirectory() : directory)
{
}

QString PresetStore::defaultDirectory()
{
    const QString fromEnv = qEnvironmentVariable("GPUDECK_PRESET_DIR");
    if (!fromEnv.isEmpty())
        return fromEnv;
    // Not AppConfigLocation: that depends on the organization and application names, which the
    // window (QSettings needs an organization) and the headless commands set differently.
    return QStandardPaths::writableLocation(QStandardPaths::GenericConfigLocation)
           + QStringLiteral("/gpudeck/presets");
}

Result<Preset> PresetStore::loadFile(const QString &path)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly))
        return Error(Error::Code::Io, QStringLiteral("Cannot read the preset %1").arg(path),
                     file.errorString());
    if (file.size() > kMaxFileSize)
        return Error(Error::Code::Io, QStringLiteral("Cannot read the preset %1").arg(path),
                     QStringLiteral("it is larger than 1 MiB"));
    return Preset::fromJson(file.readAll(), path);
}

QList<PresetStore::Entry> PresetStore::list() const
{
    QList<Entry> entries;
    const QDir dir(m_directory);
    const QFileInfoList files = dir.entryInfoList({QStringLiteral("*.json")},
                                                  QDir::Files | QDir::Hidden, QDir::Name);
    for (const QFileInfo &info : files) {
        Entry entry;
        entry.filePath = info.absoluteFilePath();
        auto loaded = loadFile(entry.filePath);
        if (loaded) {
            entry.name = loaded.value().name();
            entry.preset = loaded.value();
        } else {
            entry.error = loaded.error();
            QFile file(entry.filePath);
            QString name;
            if (file.size() <= kMaxFileSize && file.open(QIODevice::ReadOnly))
                name = QJsonDocument::fromJson(file.readAll())
                           .object()
                           .value(QStringLiteral("name"))
                           .toString();
            entry.name = Preset::checkName(name).isEmpty() ? name : info.fileName();
            qCDebug(lcPresets) << "broken preset file" << entry.filePath << entry.error.message();
        }
        entries << entry;
    }
    std::stable_sort(entries.begin(), entries.end(), [](const Entry &a, const Entry &b) {
        return a.name.compare(b.name, Qt::CaseInsensitive) < 0;
    });
    return entries;
}

std::optional<PresetStore::Entry> PresetStore::find(const QList<Entry> &entries,
                                                    const QString &name) const
{
    for (const Entry &entry : entries) {
        if (!entry.isBroken() && entry.name == name)
            return entry;
    }
    // A unique case-insensitive match is what the user meant.
    std::optional<Entry> match;
    for (const Entry &entry : entries) {
        if (!entry.isBroken() && entry.name.compare(name, Qt::CaseInsensitive) == 0) {
            if (match)
                return std::nullopt;
            match = entry;
        }
    }
    return match;
}

Result<Preset> PresetStore::load(const QString &name) const
{
    const QList<Entry> entries = list();
    if (const auto entry = find(entries, name))
        return *entry->preset;
    for (const Entry &entry : entries) {
        if (entry.isBroken() && entry.name == name)
            return entry.error;
    }
    return storeError(QStringLiteral("No preset named '%1'").arg(name),
                      QStringLiteral("it is not in %1").arg(m_directory),
                      QStringLiteral("Run 'gpudeck preset list' to see the presets"));
}

Result<Preset> PresetStore::resolve(const QString &nameOrFile) const
{
    auto byName = load(nameOrFile);
    if (byName || !QFileInfo(nameOrFile).isFile())
        return byName;
    return loadFile(nameOrFile);
}

Error PresetStore::nameTaken(const QString &name) const
{
    return storeError(QStringLiteral("Cannot save the preset '%1'").arg(name),
                      QStringLiteral("a preset with that name already exists"),
                      QStringLiteral("Choose another name"));
}

QString PresetStore::slug(const QString &name)
{
    QString stem;
    bool dash = false;
    for (const QChar c : name.toLower()) {
        if ((c >= QLatin1Char('a') && c <= QLatin1Char('z'))
            || (c >= QLatin1Char('0') && c <= QLatin1Char('9'))) {
            if (dash && !stem.isEmpty())
                stem += QLatin1Char('-');
            stem += c;
            dash = false;
        } else {
            dash = true;
        }
        if (stem.size() >= 60)
            break;
    }
    return stem.isEmpty() ? QStringLiteral("preset") : stem;
}

QString PresetStore::freePath(const QString &name) const
{
    // Never a path that exists: a broken file there must stay as it is.
    const QString stem = QDir(m_directory).filePath(slug(name));
    QString path = stem + QStringLiteral(".json");
    for (int i = 2; QFileInfo::exists(path); ++i)
        path = stem + QStringLiteral("-%1.json").arg(i);
    return path;
}

Result<void> PresetStore::writeFile(const QString &path, const QByteArray &bytes)
{
    const QFileInfo info(path);
    if (!QDir().mkpath(info.absolutePath()))
        return Error(Error::Code::Io, QStringLiteral("Cannot write %1").arg(path),
                     QStringLiteral("the folder %1 cannot be created").arg(info.absolutePath()));
    // Written to a temporary file and renamed over the target: a crash leaves the old file.
    QSaveFile file(path);
    if (!file.open(QIODevice::WriteOnly) || file.write(bytes) != bytes.size() || !file.commit())
        return Error(Error::Code::Io, QStringLiteral("Cannot write %1").arg(path),
                     file.errorString());
    return {};
}

Result<QString> PresetStore::save(const Preset &preset)
{
    if (const QString problem = Preset::checkName(preset.name()); !problem.isEmpty())
        return storeError(QStringLiteral("Cannot save the preset"), problem);
    const QList<Entry> entries = list();
    Preset toWrite = preset;
    QString path;
    for (const Entry &entry : entries) {
        if (entry.isBroken())
            continue;
        if (entry.name == preset.name()) {
            // Fields a newer version added survive, even when the caller built the preset anew.
            QJsonObject extras = entry.preset->extras();
            for (auto it = preset.extras().constBegin(); it != preset.extras().constEnd(); ++it)
                extras.insert(it.key(), it.value());
            toWrite.setExtras(extras);
            path = entry.filePath;
            break;
        }
        if (entry.name.compare(preset.name(), Qt::CaseInsensitive) == 0)
            return nameTaken(preset.name());
    }
    if (path.isEmpty())
        path = freePath(preset.name());
    else if (!loadFile(path))
        return storeError(QStringLiteral("Cannot save the preset '%1'").arg(preset.name()),
                          QStringLiteral("its file %1 changed and cannot be read").arg(path));
    if (const auto written = writeFile(path, toWrite.toFileBytes()); !written)
        return written.error();
    return path;
}

Result<QString> PresetStore::saveAs(const Preset &preset, const QString &newName)
{
    if (const QString problem = Preset::checkName(newName); !problem.isEmpty())
        return storeError(QStringLiteral("Cannot save the preset"), problem);
    for (const Entry &entry : list()) {
        if (!entry.isBroken() && entry.name.compare(newName, Qt::CaseInsensitive) == 0)
            return nameTaken(newName);
    }
    Preset copy = preset;
    copy.setName(newName);
    const QString path = freePath(newName);
    if (const auto written = writeFile(path, copy.toFileBytes()); !written)
        return written.error();
    return path;
}

Result<QString> PresetStore::rename(const QString &oldName, const QString &newName)
{
    if (const QString problem = Preset::checkName(newName); !problem.isEmpty())
        return storeError(QStringLiteral("Cannot rename the preset '%1'").arg(oldName), problem);
    const QList<Entry> entries = list();
    const auto entry = find(entries, oldName);
    if (!entry) {
        const auto loaded = load(oldName);
        return loaded.error();
    }
    for (const Entry &other : entries) {
        if (!other.isBroken() && other.filePath != entry->filePath
            && other.name.compare(newName, Qt::CaseInsensitive) == 0)
            return storeError(QStringLiteral("Cannot rename the preset '%1'").arg(entry->name),
                              QStringLiteral("a preset named '%1' already exists").arg(other.name),
                              QStringLiteral("Choose another name"));
    }
    Preset renamed = *entry->preset;
    renamed.setName(newName);
    const QString oldPath = entry->filePath;
    const QString sameStem = QDir(m_directory).filePath(slug(newName) + QStringLiteral(".json"));
    const bool inPlace = QFileInfo(sameStem).absoluteFilePath()
                         == QFileInfo(oldPath).absoluteFilePath();
    const QString path = inPlace ? oldPath : freePath(newName);
    if (const auto written = writeFile(path, renamed.toFileBytes()); !written)
        return written.error();
    if (!inPlace && !QFile::remove(oldPath)) {
        QFile::remove(path);
        return Error(Error::Code::Io,
                     QStringLiteral("Cannot rename the preset '%1'").arg(entry->name),
                     QStringLiteral("%1 cannot be removed").arg(oldPath));
    }
    return path;
}

Result<void> PresetStore::remove(const QString &name)
{
    const QList<Entry> entries = list();
    const auto entry = find(entries, name);
    if (!entry) {
        for (const Entry &broken : entries) {
            if (broken.isBroken() && broken.name == name)
                return storeError(
                    QStringLiteral("Cannot delete the preset '%1'").arg(name),
                    QStringLiteral("its file %1 is broken: %2")
                        .arg(broken.filePath, broken.error.why()),
                    QStringLiteral("GPU Deck leaves broken files alone: fix or delete it by hand"));
        }
        return load(name).error();
    }
    QFile file(entry->filePath);
    if (!file.remove())
        return Error(Error::Code::Io, QStringLiteral("Cannot delete the preset '%1'").arg(name),
                     file.errorString());
    return {};
}

Result<Preset> PresetStore::importFile(const QString &path, const QString &newName)
{
    auto loaded = loadFile(path);
    if (!loaded)
        return loaded.error();
    Preset preset = loaded.value();
    if (!newName.isEmpty())
        preset.setName(newName);
    if (const QString problem = Preset::checkName(preset.name()); !problem.isEmpty())
        return storeError(QStringLiteral("Cannot import %1").arg(path), problem);
    for (const Entry &entry : list()) {
        if (!entry.isBroken() && entry.name.compare(preset.name(), Qt::CaseInsensitive) == 0)
            return storeError(QStringLiteral("Cannot import %1").arg(path),
                              QStringLiteral("a preset named '%1' already exists").arg(entry.name),
                              QStringLiteral("Import it under another name"));
    }
    if (const auto written = writeFile(freePath(preset.name()), preset.toFileBytes()); !written)
        return written.error();
    return preset;
}

Result<void> PresetStore::exportTo(const QString &name, const QString &path) const
{
    const auto loaded = load(name);
    if (!loaded)
        return loaded.error();
    return writeFile(path, loaded.value().toFileBytes());
}
