#pragma once

#include "gpu/GpuMonitor.h" // QPointer<GpuMonitor> needs the whole type
#include "launch/LaunchSpec.h"

#include <QList>
#include <QPointer>
#include <QWidget>

class DockerClient;
class FindBar;
class GpuInventory;
class LogPage;
class QLabel;
class QMessageBox;
class QStackedWidget;
class QTabWidget;
class QToolButton;

// The log pane: one tab per launch (a container, or a service on a swarm), with follow, find, save
// and clear for the tab in front. Closing the tab of a running launch stops it; the page lives on
// hidden until the engine confirms, so no container or service is left behind. A followed
// container (follow()) is detached: closing its tab, or stopAll(), only stops following. Closing
// a running container's terminal tab asks once: detach (it runs on, to be attached again), stop,
// or cancel.
class LogView : public QWidget
{
    Q_OBJECT

public:
    explicit LogView(QWidget *parent = nullptr);

    // A new tab running spec on client; the tab comes to the front.
    // hostGpus: the engine's host's GPUs, for free GPUs and the CUDA check (Launcher::setGpuInventory).
    // engineName: the engine's name in the tab's title ("… @ name"), when the window knows several.
    LogPage *launch(DockerClient *client, const LaunchSpec &spec, GpuInventory *hostGpus = nullptr,
                    const QString &engineName = {});
    // A new tab running spec as a service on the swarm client manages, with this many tasks.
    LogPage *launchOnSwarm(DockerClient *client, const LaunchSpec &spec, int replicas,
                           const QString &engineName = {});

    // A tab following a running container's output (its last FollowRun::DefaultTail lines
    // first); the tab already following id comes to the front instead of a second one.
    LogPage *follow(DockerClient *client, const QString &id, const QString &name, bool tty,
                    const QString &engineName = {});
    // A terminal tab attached to a running interactive container (docker attach); the terminal
    // tab already on id comes to the front instead of a second one.
    LogPage *attach(DockerClient *client, const QString &id, const QString &name,
                    const QString &engineName = {});
    // The tab following or running container id (a full id), an active one first; null when none.
    LogPage *pageOf(const QString &id) const;

    LogPage *currentPage() const;
    // The selected engine's host's GPU monitor: tabs opened from now on show their container's
    // GPU use from it (LogPage::showGpuUse). Null: none.
    void setGpuMonitor(GpuMonitor *monitor) { m_monitor = monitor; }
    QList<LogPage *> pages() const;
    int count() const;
    // A launch of this window still runs (followed containers do not count: they are detached;
    // nor do launches waiting for GPUs: nothing of theirs is on the engine).
    bool hasActive() const;

    void closeTab(int index);
    // The question closing a running terminal tab asks (objectName "closeTerminalQuestion"; its
    // buttons "terminalDetach", "terminalStop", "terminalCancel"); null when none is open.
    QMessageBox *closeQuestion() const;
    void closeCurrent();
    void stopCurrent();
    // Stops the launches hasActive() counts.
    void stopAll();
    void showFind();
    void saveCurrent();
    void clearCurrent();

signals:
    // The tab in front or its state changed: Stop and the other actions follow it.
    void currentStateChanged();
    // Any tab's state changed (hasActive() may have changed with it).
    void activityChanged();

private:
    QPointer<GpuMonitor> m_monitor;
    void add(LogPage *page, const QString &engineName);
    void find(bool backward);
    void updateTab(LogPage *page);
    void updateButtons();
    void askClose(LogPage *page);
    // Takes the page's tab away. Close: a launch stops, a followed or attached container is let
    // go; Detach: the container runs on; Stop: the container stops, whatever kind the tab is.
    enum class Ending { Close, Detach, Stop };
    void removePage(LogPage *page, Ending how);

    QPointer<QMessageBox> m_closeQuestion;
    QStackedWidget *m_stack;
    QLabel *m_placeholder;
    QTabWidget *m_tabs;
    FindBar *m_findBar;
    QToolButton *m_follow;
    QToolButton *m_findButton;
    QToolButton *m_save;
    QToolButton *m_clear;
};
