#pragma once

#include "engine/SwarmNodes.h"
#include "launch/LaunchSpec.h"

#include <QPointer>
#include <QTimer>
#include <QWidget>

#include <functional>

class DockerClient;
class QLabel;
class QPushButton;
class QSpinBox;
class QTreeWidget;

// The swarm of the selected engine, when it is a manager: its nodes, the GPUs each advertises
// (NVIDIA-GPU generic resources) and the task holding each one, refreshed every few seconds while
// shown; and "Launch on Swarm": the launch form's launch as a service whose tasks reserve its GPU
// count. The launch itself runs in a tab of the log pane like any other (LogView::launchOnSwarm,
// as `gpudeck swarm run`): this view checks the launch and asks for it.
class SwarmView : public QWidget
{
    Q_OBJECT

public:
    static constexpr int kRefreshMs = 3000;

    explicit SwarmView(QWidget *parent = nullptr);
    ~SwarmView() override;

    // The engine to show; null or not a manager hides the view's content and stops polling.
    void setEngine(DockerClient *client, bool manager);
    bool isManager() const { return m_manager; }
    // Where "Launch on Swarm" takes its launch from: the window's form.
    void setSpecSource(std::function<LaunchSpec()> source) { m_specSource = std::move(source); }

    void refresh();
    // Checks the form's launch and emits launchRequested, or says at the button why not.
    void launch();

    const QList<SwarmNode> &nodes() const { return m_nodes; }
    QString statusText() const;

signals:
    void nodesChanged();
    // A launch on the swarm of client, with this many tasks.
    void launchRequested(DockerClient *client, const LaunchSpec &spec, int replicas);

private:
    void showNodes(const Result<QList<SwarmNode>> &nodes);

    QPointer<DockerClient> m_client;
    bool m_manager = false;
    std::function<LaunchSpec()> m_specSource;
    QList<SwarmNode> m_nodes;
    QObject *m_calls = nullptr; // context of the node read in flight
    QTimer m_poll;

    QLabel *m_summary;
    QPushButton *m_refresh;
    QTreeWidget *m_tree;
    QSpinBox *m_replicas;
    QPushButton *m_launch;
    QLabel *m_status;
};
