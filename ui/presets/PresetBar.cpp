#include "presets/PresetBar.h"

#include "widgets/Icons.h"
#include "widgets/StatusColors.h"

#include <QAction>
#include <QComboBox>
#include <QFileDialog>
#include <QFileInfo>
#include <QHBoxLayout>
#include <QInputDialog>
#include <QLabel>
#include <QMenu>
#include <QMessageBox>
#include <QPixmap>

#include <algorithm>

namespace {

constexpr int EntryRole = Qt::UserRole + 1; // index into m_entries

// The GPU panel gives ticked GPUs in its own order, whatever order the preset file lists them
// in: the same GPUs in another order are the same launch.
bool sameLaunch(LaunchSpec a, LaunchSpec b)
{
    std::sort(a.gpus.devices.begin(), a.gpus.devices.end());
    std::sort(b.gpus.devices.begin(), b.gpus.devices.end());
    return a == b;
}

} // namespace

PresetBar::PresetBar(const QString &directory, QWidget *parent)
    : QWidget(parent),
      m_store(directory),
      m_combo(new QComboBox(this)),
      m_state(new QLabel(this)),
      m_more(new QMenu(tr("More preset actions"), this)),
      m_save(new QAction(Icons::get(QStringLiteral("save")), tr("Save Preset"), this)),
      m_saveAs(new QAction(Icons::get(QStringLiteral("add")), tr("Save Preset &As…"), this)),
      m_rename(new QAction(tr("&Rename Preset…"), this)),
      m_remove(new QAction(Icons::get(QStringLiteral("remove")), tr("&Delete Preset…"), this)),
      m_import(new QAction(tr("&Import Preset…"), this)),
      m_export(new QAction(tr("&Export Preset…"), this))
{
    setObjectName(QStringLiteral("presetBar"));
    m_combo->setObjectName(QStringLiteral("presetCombo"));
    m_state->setObjectName(QStringLiteral("presetState"));
    m_combo->setAccessibleName(tr("Preset"));
    m_state->setAccessibleName(tr("Preset state"));
    m_save->setObjectName(QStringLiteral("presetSaveAction"));
    m_saveAs->setObjectName(QStringLiteral("presetSaveAsAction"));
    m_rename->setObjectName(QStringLiteral("presetRenameAction"));
    m_remove->setObjectName(QStringLiteral("presetDeleteAction"));
    m_import->setObjectName(QStringLiteral("presetImportAction"));
    m_export->setObjectName(QStringLiteral("presetExportAction"));

    m_combo->setPlaceholderText(tr("No preset"));
    m_combo->setMinimumContentsLength(22);
    m_combo->setSizeAdjustPolicy(QComboBox::AdjustToMinimumContentsLengthWithIcon);
    m_combo->setToolTip(tr("Saved launches: pick one to fill in the window"));
    m_save->setShortcut(QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_S));
    m_save->setToolTip(tr("Save the launch into the preset shown (Ctrl+Shift+S)"));
    m_saveAs->setToolTip(tr("Save the launch as a new preset"));
    m_state->setTextInteractionFlags(Qt::TextSelectableByMouse);

    auto *label = new QLabel(tr("&Preset:"), this);
    label->setBuddy(m_combo);
    auto *layout = new QHBoxLayout(this);
    layout->setContentsMargins(4, 0, 4, 0);
    layout->addWidget(label);
    layout->addWidget(m_combo);
    layout->addWidget(m_state);

    m_more->addAction(m_rename);
    m_more->addAction(m_remove);
    m_more->addSeparator();
    m_more->addAction(m_import);
    m_more->addAction(m_export);

    connect(m_combo, &QComboBox::activated, this, &PresetBar::onActivated);
    connect(m_save, &QAction::triggered, this, [this]() {
        if (currentName().isEmpty() || !m_loaded) {
            saveAsAsked();
            return;
        }
        if (const Result<QString> saved = save(); !saved)
            showError(tr("Save Preset"), saved.error());
    });
    connect(m_saveAs, &QAction::triggered, this, &PresetBar::saveAsAsked);
    connect(m_rename, &QAction::triggered, this, &PresetBar::renameAsked);
    connect(m_remove, &QAction::triggered, this, &PresetBar::removeAsked);
    connect(m_import, &QAction::triggered, this, &PresetBar::importAsked);
    connect(m_export, &QAction::triggered, this, &PresetBar::exportAsked);

    reload();
}

QList<QAction *> PresetBar::presetActions() const
{
    return {m_save, m_saveAs, m_rename, m_remove, m_import, m_export};
}

QString PresetBar::currentName() const
{
    const int index = m_combo->currentIndex();
    if (index < 0)
        return {};
    const int entryIndex = m_combo->itemData(index, EntryRole).toInt();
    return entryIndex >= 0 && entryIndex < m_entries.size() ? m_entries.at(entryIndex).name
                                                            : QString();
}

std::optional<PresetStore::Entry> PresetBar::entry(const QString &name) const
{
    // A good file wins over a broken one that claims the same name.
    std::optional<PresetStore::Entry> broken;
    for (const PresetStore::Entry &e : m_entries) {
        if (e.name.compare(name, Qt::CaseInsensitive) != 0)
            continue;
        if (!e.isBroken())
            return e;
        broken = e;
    }
    return broken;
}

void PresetBar::reload()
{
    const QString current = currentName();
    m_entries = m_store.list();
    m_filling = true;
    m_combo->clear();
    // Good entries get a blank icon so that their names line up with the broken ones'.
    QPixmap blank(16, 16);
    blank.fill(Qt::transparent);
    for (int i = 0; i < m_entries.size(); ++i) {
        const PresetStore::Entry &e = m_entries.at(i);
        if (e.isBroken()) {
            m_combo->addItem(Icons::get(QStringLiteral("state-failed")),
                             tr("%1 (broken)").arg(e.name));
            m_combo->setItemData(i, tr("%1\nThis file is left as it is.").arg(e.error.message()),
                                 Qt::ToolTipRole);
        } else {
            const LaunchSpec &spec = e.preset->spec();
            m_combo->addItem(QIcon(blank), e.name);
            m_combo->setItemData(i, tr("%1 — %2").arg(spec.image, e.filePath), Qt::ToolTipRole);
        }
        m_combo->setItemData(i, i, EntryRole);
    }
    m_filling = false;
    setCurrent(current);
}

void PresetBar::setCurrent(const QString &name)
{
    int index = -1;
    for (int i = 0; i < m_entries.size() && !name.isEmpty(); ++i) {
        if (m_entries.at(i).name.compare(name, Qt::CaseInsensitive) == 0
            && (index < 0 || !m_entries.at(i).isBroken()))
            index = i;
    }
    m_filling = true;
    m_combo->setCurrentIndex(index);
    m_filling = false;
    if (index < 0 || m_entries.at(index).isBroken())
        m_loaded.reset();
    else if (!m_loaded || m_loaded->name() != m_entries.at(index).name)
        m_loaded = *m_entries.at(index).preset;
    updateState();
    emit currentChanged(currentName());
}

Result<Preset> PresetBar::select(const QString &name, bool quiet)
{
    reload(); // the file may have changed since the combo was filled
    const std::optional<PresetStore::Entry> e = entry(name);
    if (!e)
        return Error(Error::Code::Usage, tr("Cannot load the preset \"%1\"").arg(name),
                     tr("there is no such preset"), tr("Pick one of the list"));
    m_loaded.reset();
    setCurrent(e->name);
    if (e->isBroken())
        return e->error;
    m_loaded = *e->preset;
    m_modified = false;
    updateState();
    if (!quiet)
        emit presetLoaded(*m_loaded);
    return *m_loaded;
}

void PresetBar::onActivated(int index)
{
    if (m_filling || index < 0)
        return;
    const int entryIndex = m_combo->itemData(index, EntryRole).toInt();
    if (entryIndex < 0 || entryIndex >= m_entries.size())
        return;
    const PresetStore::Entry e = m_entries.at(entryIndex);
    if (e.isBroken()) {
        m_loaded.reset();
        updateState();
        emit message(tr("Preset file %1 is broken: %2").arg(e.filePath, e.error.message()));
        return;
    }
    if (const Result<Preset> loaded = select(e.name); loaded)
        emit message(tr("Loaded preset \"%1\".").arg(e.name));
    else
        emit message(loaded.error().message());
}

void PresetBar::launchChanged(const LaunchSpec &spec)
{
    const bool modified = m_loaded && !sameLaunch(m_loaded->spec(), spec);
    if (modified == m_modified)
        return;
    m_modified = modified;
    updateState();
}

void PresetBar::updateState()
{
    const int index = m_combo->currentIndex();
    const int entryIndex = index < 0 ? -1 : m_combo->itemData(index, EntryRole).toInt();
    const bool broken = entryIndex >= 0 && entryIndex < m_entries.size()
                        && m_entries.at(entryIndex).isBroken();
    if (broken) {
        const QString why = m_entries.at(entryIndex).error.message();
        m_state->setText(tr("broken"));
        m_state->setStyleSheet(StatusColors::styleSheet(StatusColors::Tone::Error, m_state)
                               + QStringLiteral(" font-weight: bold;"));
        m_state->setToolTip(why);
        m_combo->setToolTip(why);
    } else {
        m_state->setText(m_loaded && m_modified ? tr("modified") : QString());
        m_state->setStyleSheet(QStringLiteral("color: palette(mid); font-style: italic;"));
        m_state->setToolTip(m_modified ? tr("The launch differs from the saved preset; Save keeps "
                                            "the changes")
                                       : QString());
        m_combo->setToolTip(tr("Saved launches: pick one to fill in the window"));
    }
    const bool good = m_loaded.has_value() && !broken;
    m_rename->setEnabled(good);
    m_remove->setEnabled(good);
    m_export->setEnabled(good);
    m_save->setEnabled(!broken);
}

void PresetBar::showError(const QString &title, const Error &error)
{
    // Not blocking: the window and its running log tabs go on while the message is shown.
    auto *box = new QMessageBox(QMessageBox::Warning, title, error.message(), QMessageBox::Ok,
                                this);
    box->setObjectName(QStringLiteral("presetError"));
    box->setAttribute(Qt::WA_DeleteOnClose);
    box->open();
}

void PresetBar::askName(const QString &title, const QString &label,
                        std::function<void(const QString &)> then)
{
    auto *dialog = new QInputDialog(this);
    dialog->setObjectName(QStringLiteral("presetNameDialog"));
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    dialog->setWindowTitle(title);
    dialog->setLabelText(label);
    dialog->setTextValue(currentName());
    connect(dialog, &QInputDialog::textValueSelected, this, std::move(then));
    dialog->open();
}

Result<QString> PresetBar::save()
{
    if (!m_loaded)
        return Error(Error::Code::Usage, tr("Cannot save the preset"), tr("no preset is picked"),
                     tr("Use Save As to name a new one"));
    Preset preset = *m_loaded;
    if (m_source)
        preset.setSpec(m_source());
    if (m_engineSource)
        preset.setEngine(m_engineSource());
    const Result<QString> path = m_store.save(preset);
    if (!path)
        return path;
    m_loaded = preset;
    m_modified = false;
    reload();
    emit message(tr("Saved preset \"%1\" to %2.").arg(preset.name(), path.value()));
    return path;
}

Result<QString> PresetBar::saveAs(const QString &name)
{
    const QString trimmed = name.trimmed();
    if (const QString why = Preset::checkName(trimmed); !why.isEmpty()) {
        return Error(Error::Code::Usage, tr("Cannot save the preset \"%1\"").arg(trimmed), why);
    }
    Preset preset(trimmed, m_source ? m_source() : LaunchSpec());
    if (m_engineSource)
        preset.setEngine(m_engineSource());
    const Result<QString> path = m_store.saveAs(preset, trimmed);
    if (!path)
        return path;
    m_loaded = preset;
    m_modified = false;
    reload();
    setCurrent(trimmed);
    emit message(tr("Saved preset \"%1\" to %2.").arg(trimmed, path.value()));
    return path;
}

Result<QString> PresetBar::rename(const QString &newName)
{
    const QString old = currentName();
    const Result<QString> path = m_store.rename(old, newName.trimmed());
    if (!path)
        return path;
    if (m_loaded)
        m_loaded->setName(newName.trimmed());
    reload();
    setCurrent(newName.trimmed());
    emit message(tr("Renamed preset \"%1\" to \"%2\".").arg(old, newName.trimmed()));
    return path;
}

Result<void> PresetBar::remove()
{
    const QString name = currentName();
    const Result<void> removed = m_store.remove(name);
    if (!removed)
        return removed;
    m_loaded.reset();
    reload();
    setCurrent({});
    emit message(tr("Deleted preset \"%1\".").arg(name));
    return removed;
}

Result<Preset> PresetBar::importFile(const QString &path)
{
    const Result<Preset> imported = m_store.importFile(path);
    if (!imported)
        return imported;
    const Result<Preset> loaded = select(imported.value().name());
    emit message(tr("Imported preset \"%1\" from %2.").arg(imported.value().name(), path));
    return loaded;
}

Result<void> PresetBar::exportTo(const QString &path)
{
    const Result<void> done = m_store.exportTo(currentName(), path);
    if (done)
        emit message(tr("Exported preset \"%1\" to %2.").arg(currentName(), path));
    return done;
}

void PresetBar::saveAsAsked()
{
    askName(tr("Save Preset As"), tr("Name of the new preset:"), [this](const QString &name) {
        if (const Result<QString> saved = saveAs(name); !saved)
            showError(tr("Save Preset As"), saved.error());
    });
}

void PresetBar::renameAsked()
{
    askName(tr("Rename Preset"), tr("New name:"), [this](const QString &name) {
        if (name.trimmed() == currentName())
            return;
        if (const Result<QString> renamed = rename(name); !renamed)
            showError(tr("Rename Preset"), renamed.error());
    });
}

void PresetBar::removeAsked()
{
    const QString name = currentName();
    auto *box = new QMessageBox(QMessageBox::Question, tr("Delete Preset"),
                                tr("Delete the preset \"%1\"? Its file is removed.").arg(name),
                                QMessageBox::Yes | QMessageBox::Cancel, this);
    box->setObjectName(QStringLiteral("presetDeleteQuestion"));
    box->setAttribute(Qt::WA_DeleteOnClose);
    box->setDefaultButton(QMessageBox::Cancel);
    connect(box, &QMessageBox::finished, this, [this, name](int answer) {
        // The preset shown may have changed while the question was open.
        if (answer != QMessageBox::Yes || currentName() != name)
            return;
        if (const Result<void> removed = remove(); !removed)
            showError(tr("Delete Preset"), removed.error());
    });
    box->open();
}

void PresetBar::askFile(const QString &title, const QString &suggestion, bool save,
                        std::function<void(const QString &)> then)
{
    auto *dialog = new QFileDialog(this, title, suggestion,
                                   tr("Preset files (*.json);;All files (*)"));
    dialog->setObjectName(save ? QStringLiteral("presetExportDialog")
                               : QStringLiteral("presetImportDialog"));
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    dialog->setFileMode(save ? QFileDialog::AnyFile : QFileDialog::ExistingFile);
    dialog->setAcceptMode(save ? QFileDialog::AcceptSave : QFileDialog::AcceptOpen);
    connect(dialog, &QFileDialog::fileSelected, this, std::move(then));
    dialog->open();
}

void PresetBar::importAsked()
{
    askFile(tr("Import Preset"), QString(), false, [this](const QString &path) {
        if (const Result<Preset> imported = importFile(path); !imported)
            showError(tr("Import Preset"), imported.error());
    });
}

void PresetBar::exportAsked()
{
    askFile(tr("Export Preset"), PresetStore::slug(currentName()) + QStringLiteral(".json"), true,
            [this](const QString &path) {
                if (const Result<void> done = exportTo(path); !done)
                    showError(tr("Export Preset"), done.error());
            });
}
