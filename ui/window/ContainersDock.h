#pragma once

#include "containers/ContainerRecord.h"
#include "gpu/GpuSnapshot.h"
#include "launch/GpuLedger.h"
#include "launch/InspectedLaunch.h"

#include <QDockWidget>
#include <QHash>
#include <QPointer>
#include <QStringList>
#include <QTimer>

#include <functional>

class ContainersView;
class Engine;
class EngineSelection;
class LogView;
class QLabel;

// The window's Containers dock: a ContainersView of the selected engine (replaced when another is
// selected, on the engine's own EngineWatch so there is one events stream), with the engine's host
// GPUs. It opens the log tabs the view asks for, brings back the tabs that followed running
// containers when the window last closed (remembered per engine) and the tabs that ended when the
// engine restarted, and says which running container holds each GPU: one of the selected engine,
// or of another engine of its GPU host (the local Podman beside the local Docker). A shell the
// view asks for opens in a terminal window of its own (as a launch tab's Shell does), an attach in
// a terminal tab.
class ContainersDock : public QDockWidget
{
    Q_OBJECT

public:
    ContainersDock(EngineSelection *selection, LogView *logs, QWidget *parent = nullptr);

    // Null while the selected engine has no address.
    ContainersView *view() const { return m_view; }
    // The running containers holding each GPU, by UUID (by index when the UUID is not known); one
    // of another engine of the host as "name @ engine".
    const QHash<QString, QStringList> &holders() const { return m_holders; }
    // Shows the dock and selects the container there.
    bool selectContainer(const QString &idOrName);
    // engineName: how log tabs name the engine ("… @ name"); empty when the window knows one.
    void setEngineNameSource(std::function<QString()> source) { m_engineName = std::move(source); }
    // Keeps the ids of the selected engine's running containers that have a tab (and those still
    // to be brought back), so that the next window brings their tabs back.
    void rememberTabs() const;
    // Reads the container's launch from the engine (its inspect and its image's): launchRebuilt
    // or rebuildFailed follows.
    void rebuildLaunch(const QString &id);

signals:
    void holdersChanged(const QHash<QString, QStringList> &holders);
    // The engine's GPU claims: containers created with one and not started (GpuLedger), and its
    // clock's offset from this machine's (they lapse on its clock).
    void claimsChanged(const QList<GpuLedger::Claim> &claims, qint64 engineClockOffsetMs);
    // The view's Launch Again: the container and the preset that launched it (empty: none did).
    void launchAgainRequested(const QString &id, const QString &preset);
    // rebuildLaunch()'s answer: the launch read from container name, or one sentence why not.
    void launchRebuilt(const QString &name, const InspectedLaunch &launch);
    void rebuildFailed(const QString &sentence);

private:
    void onEngineSelected(Engine *engine);
    void setHost(const GpuSnapshot &host);
    void restoreTabs();
    QString tabsKey() const;
    void updateHolders();
    // Reads the live containers (running, paused, created) of the host's other engines again.
    void listHostEngines();
    void openShell(const QString &id, const QString &name, const QStringList &command);

    EngineSelection *m_selection;
    LogView *m_logs;
    QPointer<Engine> m_engine;
    ContainersView *m_view = nullptr;
    QLabel *m_placeholder;
    GpuSnapshot m_host;
    QHash<QString, QStringList> m_holders;
    // The other engines of the selected one's GPU host, and their live containers (each record's
    // engine is its engine's URL).
    QList<QPointer<Engine>> m_hostEngines;
    QList<ContainerRecord> m_hostRecords;
    QObject *m_hostCalls = nullptr; // context of their listings in flight
    QTimer m_hostRefresh;           // their container events come in bursts: one listing a burst
    // Remembered tabs of the selected engine not brought back yet.
    QStringList m_toRestore;
    bool m_hadClaims = false;
    std::function<QString()> m_engineName;
};
