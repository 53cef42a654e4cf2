#pragma once

#include "Preset.h"
#include "common/Result.h"

#include <QList>
#include <QString>

#include <optional>

// The preset files of one directory, one file per preset. A file that cannot be read is listed
// as broken with the reason, and is never overwritten or deleted by the store.
class PresetStore
{
public:
    struct Entry
    {
        // the preset's name; for a broken file, its "name" if readable, else the file name
        QString name;
        QString filePath;
        std::optional<Preset> preset; // set when the file loaded
        Error error;                  // why it did not

        bool isBroken() const { return !preset.has_value(); }
    };

    // directory empty: $GPUDECK_PRESET_DIR, else $XDG_CONFIG_HOME/gpudeck/presets (the window and
    // the headless commands share it, whatever the application object is called).
    explicit PresetStore(const QString &directory = {});
    static QString defaultDirectory();
    const QString &directory() const { return m_directory; }

    QList<Entry> list() const; // sorted by name, case-insensitively

    Result<Preset> load(const QString &name) const;
    static Result<Preset> loadFile(const QString &path);
    // A preset of this store by name, else a preset file at that path (as `run --preset NAME|FILE`).
    Result<Preset> resolve(const QString &nameOrFile) const;

    // Creates the preset's file, or updates the file of the preset with exactly that name
    // (keeping the fields this version does not know). Returns the file path.
    Result<QString> save(const Preset &preset);
    // Saves under a new name, which must not be taken (case-insensitively).
    Result<QString> saveAs(const Preset &preset, const QString &newName);
    Result<QString> rename(const QString &oldName, const QString &newName);
    Result<void> remove(const QString &name);
    // Reads a preset file and copies it in, under newName when given. Refuses a taken name.
    Result<Preset> importFile(const QString &path, const QString &newName = {});
    Result<void> exportTo(const QString &name, const QString &path) const;
    static Result<void> writeFile(const QString &path, const QByteArray &bytes);

    // A safe file name stem for a preset name: lowercase ASCII letters, digits and '-'.
    static QString slug(const QString &name);

private:
    std::optional<Entry> find(const QList<Entry> &entries, const QString &name) const;
    Error nameTaken(const QString &name) const;
    QString freePath(const QString &name) const;

    QString m_directory;
};
