#pragma once

#include "gpu/GpuSnapshot.h"
#include "launch/GpuLedger.h"
#include "launch/GpuSelection.h"

#include <QHash>
#include <QPointer>
#include <QStringList>
#include <QWidget>

class GpuAlerts;
class GpuHistoryBox;
class GpuHistory;
class QButtonGroup;
class QComboBox;
class QLabel;
class QRadioButton;
class QSpinBox;
class QStackedWidget;
class QTreeWidget;
class QTreeWidgetItem;

// The host's GPUs, live: a checkbox, index, name, memory and utilisation bars, temperature and
// who is on each GPU (containers by name, host processes by user and command), MIG slices nested
// under their GPU. The user asks for the ticked devices, all GPUs, a count, or a number of free
// GPUs (the processes column says which GPUs count as free); picking a GPU that another container
// or user holds shows a warning under the list. Without a driver the panel says why; launches
// without GPUs still work.
class GpuPanel : public QWidget
{
    Q_OBJECT

public:
    enum Column { IndexColumn, NameColumn, MemoryColumn, UtilColumn, TempColumn, ProcessColumn };
    static constexpr int DeviceIdRole = Qt::UserRole + 1; // "0", or "0:1" for a MIG slice
    static constexpr int UuidRole = Qt::UserRole + 2;
    static constexpr int FreeRole = Qt::UserRole + 3;   // bool: isFree() and no container holds it
    static constexpr int OthersRole = Qt::UserRole + 4; // who else is on the GPU; empty: nobody
    // its CDI device's name; empty: none (or not known)
    static constexpr int CdiRole = Qt::UserRole + 5;
    // The running containers that hold the GPU (QStringList); empty: none
    static constexpr int HoldersRole = Qt::UserRole + 6;

    explicit GpuPanel(QWidget *parent = nullptr);

    void setSnapshot(const GpuSnapshot &snapshot);
    // The last hour behind the rows' sparklines and the selected GPU's plot; history lives as
    // long as owner (the GpuMonitor that records it). Null: no history shown.
    void setHistory(const GpuHistory *history, QObject *owner);
    int gpuCount() const;
    // The alerts said under the plot (the window adds the launches that ended).
    GpuAlerts *alerts() const;

    GpuSelection selection() const;
    void setSelection(const GpuSelection &selection);

    // The validator's message for the GPU request; empty clears it.
    void setIssue(const QString &message);
    // Picked devices (a preset's indexes or UUIDs) that this host does not have.
    QStringList missingDevices() const;
    // The warning for picked GPUs that other containers or users hold; empty when none is.
    QString busyWarning() const { return m_busyWarning; }

    // The engine's CDI devices ("nvidia.com/gpu=0", "nvidia.com/gpu=GPU-…"); known false when the
    // engine has no CDI or its devices cannot be read. GPUs with a device are marked "· CDI".
    void setCdiDevices(const QStringList &names, bool known);
    // The launch asks for CDI devices: ticked GPUs without one are named under the list.
    void setCdiLaunch(bool cdi);
    // The running containers holding each GPU, by UUID (or by index as text), whether or not a
    // process of theirs runs there: "held by NAME, idle".
    void setHolders(const QHash<QString, QStringList> &holders);
    // The engine's GPU claims (GpuLedger): a GPU that a launch has claimed and not yet started
    // shows "claimed by NAME (starting)" until it starts or its claim lapses, on the engine's
    // clock (this machine's plus engineClockOffsetMs).
    void setClaims(const QList<GpuLedger::Claim> &claims, qint64 engineClockOffsetMs = 0);

signals:
    void selectionChanged();
    void busyWarningChanged(const QString &warning);
    // The holder shown in a GPU's Processes cell was clicked.
    void holderActivated(const QString &containerName);
    // The idle alert's "Stop NAME" was pressed.
    void stopRequested(const QString &containerId, const QString &name);

protected:
    bool eventFilter(QObject *watched, QEvent *event) override;

private:
    // Who is on each GPU comes first when the panel is narrow: the name column is as wide as the
    // (short) names, and the temperature column gives way (its value is in the tooltips).
    void fitColumns();
    void onItemChanged(QTreeWidgetItem *item, int column);
    void onModeChanged();
    void updateTicks();
    void fillGpuItem(QTreeWidgetItem *item, const GpuInfo &gpu);
    QList<QTreeWidgetItem *> deviceItems() const;
    // The entry of m_ticked that picks item: its index or its UUID, as the user stored it.
    QString tickedAs(const QTreeWidgetItem *item) const;
    void updateMissing();
    void updateBusy();
    void updateCdi();
    QString cdiDeviceOf(const GpuInfo &gpu) const;
    void updateHistory();

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
    QLabel *m_busy;
    QLabel *m_cdiNote;
    GpuHistoryBox *m_historyBox;
    const GpuHistory *m_history = nullptr;
    QPointer<QObject> m_historyOwner;
    GpuSnapshot m_snapshot; // the last one shown, to redraw when the CDI devices change
    QStringList m_cdiNames;
    QHash<QString, QStringList> m_holders;
    QList<GpuLedger::Claim> m_claims;
    qint64 m_claimsClockOffsetMs = 0;
    bool m_cdiKnown = false;
    bool m_cdiLaunch = false;
    QString m_busyWarning;

    QStringList m_ticked; // as the user ticked them, kept across refreshes and absent GPUs
    bool m_updating = false;
    bool m_haveSnapshot = false;
};
