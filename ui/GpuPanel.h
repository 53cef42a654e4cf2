#pragma once

#include "gpu/GpuSnapshot.h"
#include "launch/GpuSelection.h"

#include <QStringList>
#include <QWidget>

class QButtonGroup;
class QLabel;
class QRadioButton;
class QSpinBox;
class QStackedWidget;
class QTreeWidget;
class QTreeWidgetItem;

// The host's GPUs, live: a checkbox, index, name, memory and utilisation bars, temperature and
// processes per GPU, MIG slices nested under their GPU. The user asks for the ticked devices, all
// GPUs, a count, or a number of free GPUs (the processes column says which GPUs count as free).
// Without a driver the panel says why; launches without GPUs still work.
class GpuPanel : public QWidget
{
    Q_OBJECT

public:
    enum Column { IndexColumn, NameColumn, MemoryColumn, UtilColumn, TempColumn, ProcessColumn };
    static constexpr int DeviceIdRole = Qt::UserRole + 1; // "0", or "0:1" for a MIG slice
    static constexpr int UuidRole = Qt::UserRole + 2;
    static constexpr int FreeRole = Qt::UserRole + 3; // bool: GpuInfo::isFree()

    explicit GpuPanel(QWidget *parent = nullptr);

    void setSnapshot(const GpuSnapshot &snapshot);
    int gpuCount() const;

    GpuSelection selection() const;
    void setSelection(const GpuSelection &selection);

    // The validator's message for the GPU request; empty clears it.
    void setIssue(const QString &message);
    // Picked devices (a preset's indexes or UUIDs) that this host does not have.
    QStringList missingDevices() const;

signals:
    void selectionChanged();

private:
    void onItemChanged(QTreeWidgetItem *item, int column);
    void onModeChanged();
    void updateTicks();
    void fillGpuItem(QTreeWidgetItem *item, const GpuInfo &gpu);
    QList<QTreeWidgetItem *> deviceItems() const;
    // The entry of m_ticked that picks item: its index or its UUID, as the user stored it.
    QString tickedAs(const QTreeWidgetItem *item) const;
    void updateMissing();

    QRadioButton *m_devicesMode;
    QRadioButton *m_allMode;
    QRadioButton *m_countMode;
    QRadioButton *m_freeMode;
    QButtonGroup *m_modes;
    QSpinBox *m_count;
    QLabel *m_countNote;
    QLabel *m_freeNote;
    QStackedWidget *m_stack;
    QTreeWidget *m_tree;
    QLabel *m_message;
    QLabel *m_issue;
    QLabel *m_driver;
    QLabel *m_missing;

    QStringList m_ticked; // as the user ticked them, kept across refreshes and absent GPUs
    bool m_updating = false;
    bool m_haveSnapshot = false;
};
