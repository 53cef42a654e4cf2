#pragma once

#include "common/Result.h"
#include "presets/Preset.h"
#include "presets/PresetStore.h"

#include <QWidget>

#include <functional>
#include <optional>

class QAction;
class QComboBox;
class QLabel;
class QMenu;

// The preset bar of the main toolbar: a combo with the store's presets (broken files listed as
// broken with their reason, never written to) and the actions to save, save as, rename, delete,
// import and export. Picking a preset asks the window to apply it; the bar then says when the
// window's launch differs from the preset ("modified").
class PresetBar : public QWidget
{
    Q_OBJECT

public:
    explicit PresetBar(const QString &directory = {}, QWidget *parent = nullptr);

    // Where the window's current launch comes from when saving.
    void setSpecSource(std::function<LaunchSpec()> source) { m_source = std::move(source); }
    // The engine a saved preset names: the selected one ("" for the usual resolution).
    void setEngineSource(std::function<QString()> source) { m_engineSource = std::move(source); }

    const PresetStore &store() const { return m_store; }
    QComboBox *combo() const { return m_combo; }
    QList<QAction *> presetActions() const;
    QMenu *moreMenu() const { return m_more; }

    // The preset the window shows (empty: none), and whether the launch still equals it.
    QString currentName() const;
    bool isModified() const { return m_modified; }

    // Re-reads the directory and keeps the current preset when it is still there.
    void reload();
    // Picks a preset: emits presetLoaded unless quiet (restoring the last state), or says why not.
    Result<Preset> select(const QString &name, bool quiet = false);
    // The window's launch changed: updates the "modified" mark.
    void launchChanged(const LaunchSpec &spec);

    // What the actions do once their dialogs have answered. Success is said through message();
    // a failure only in the result, which the action's caller shows once.
    Result<QString> save();
    Result<QString> saveAs(const QString &name);
    Result<QString> rename(const QString &newName);
    Result<void> remove();
    Result<Preset> importFile(const QString &path);
    Result<void> exportTo(const QString &path);

signals:
    void presetLoaded(const Preset &preset);
    // A sentence for the status bar: what an action did, or why picking a preset failed.
    void message(const QString &text);
    void currentChanged(const QString &name);

private:
    void onActivated(int index);
    void saveAsAsked();
    void renameAsked();
    void removeAsked();
    void importAsked();
    void exportAsked();
    void setCurrent(const QString &name);
    void updateState();
    std::optional<PresetStore::Entry> entry(const QString &name) const;
    void showError(const QString &title, const Error &error);
    void askName(const QString &title, const QString &label,
                 std::function<void(const QString &)> then);
    void askFile(const QString &title, const QString &suggestion, bool save,
                 std::function<void(const QString &)> then);

    PresetStore m_store;
    QList<PresetStore::Entry> m_entries;
    std::optional<Preset> m_loaded;
    std::function<LaunchSpec()> m_source;
    std::function<QString()> m_engineSource;
    QComboBox *m_combo;
    QLabel *m_state;
    QMenu *m_more;
    QAction *m_save;
    QAction *m_saveAs;
    QAction *m_rename;
    QAction *m_remove;
    QAction *m_import;
    QAction *m_export;
    bool m_modified = false;
    bool m_filling = false;
};
