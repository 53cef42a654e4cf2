#pragma once

#include "gpu/GpuSnapshot.h"
#include "launch/GpuLedger.h"

#include <QDockWidget>
#include <QHash>
#include <QPointer>
#include <QStringList>

#include <functional>

class ContainersView;
class Engine;
class EngineSelection;
class LogView;
class QLabel;

// The window's Containers dock: a ContainersView of the selected engine (replaced when another is
// selected, on the engine's own EngineWatch so there is one events stream), with the engine's host
// GPUs. It opens the log tabs the view asks for, brings back the tabs of GPU Deck's own running
// containers (those with a preset label) whenever the engine's containers are listed, and says
// which running container holds each GPU.
class ContainersDock : public QDockWidget
{
    Q_OBJECT

public:
    ContainersDock(EngineSelection *selection, LogView *logs, QWidget *parent = nullptr);

    // Null while the selected engine has no address.
    ContainersView *view() const { return m_view; }
    // The running containers holding each GPU, by UUID (by index when the UUID is not known).
    const QHash<QString, QStringList> &holders() const { return m_holders; }
    // Shows the dock and selects the container there.
    bool selectContainer(const QString &idOrName);
    // engineName: how log tabs name the engine ("… @ name"); empty when the window knows one.
    void setEngineNameSource(std::function<QString()> source) { m_engineName = std::move(source); }

signals:
    void holdersChanged(const QHash<QString, QStringList> &holders);
    // The engine's GPU claims: containers created with one and not started (GpuLedger).
    void claimsChanged(const QList<GpuLedger::Claim> &claims);
    // The view's Launch Again: the preset that launched the selected container.
    void launchAgainRequested(const QString &preset);

private:
    void onEngineSelected(Engine *engine);
    void setHost(const GpuSnapshot &host);
    void restoreTabs();
    void updateHolders();

    EngineSelection *m_selection;
    LogView *m_logs;
    QPointer<Engine> m_engine;
    ContainersView *m_view = nullptr;
    QLabel *m_placeholder;
    GpuSnapshot m_host;
    QHash<QString, QStringList> m_holders;
    bool m_hadClaims = false;
    std::function<QString()> m_engineName;
};
