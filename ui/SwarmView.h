#pragma once

#include "engine/SwarmNodes.h"
#include "launch/LaunchSpec.h"

#include <QPointer>
#include <QTimer>
#include <QWidget>

#include <functional>

class DockerClient;
class QLabel;
class QPlainTextEdit;
class QPushButton;
class QSpinBox;
class QTreeWidget;
class SwarmLauncher;

// The swarm of the selected engine, when it is a manager: its nodes, the GPUs each advertises
// (NVIDIA-GPU generic resources) and the task holding each one, refreshed every few seconds while
// shown; and "Launch on Swarm": the launch form's launch as a service whose tasks reserve its GPU
// count (SwarmLauncher, as `gpudeck swarm run`), its output live in the pane below and the
// service removed when it ends or is stopped.
class SwarmView : public QWidget
{
    Q_OBJECT

public:
    static constexpr int kRefreshMs = 3000;

    explicit SwarmView(QWidget *parent = nullptr);
    ~SwarmView() override;

    // The engine to show; null or not a manager hides the view's content and stops polling. A
    // swarm launch under way goes on with the client it started with.
    void setEngine(DockerClient *client, bool manager);
    bool isManager() const { return m_manager; }
    // Where "Launch on Swarm" takes its launch from: the window's form.
    void setSpecSource(std::function<LaunchSpec()> source) { m_specSource = std::move(source); }

    void refresh();
    void launch();
    void stop();
    bool isRunning() const;

    const QList<SwarmNode> &nodes() const { return m_nodes; }
    QString statusText() const;
    QString outputText() const;

signals:
    void nodesChanged();
    void runningChanged(bool running);

private:
    void showNodes(const Result<QList<SwarmNode>> &nodes);
    void append(const QString &text);
    void onFinished();

    QPointer<DockerClient> m_client;
    bool m_manager = false;
    std::function<LaunchSpec()> m_specSource;
    QList<SwarmNode> m_nodes;
    QObject *m_calls = nullptr; // context of the node read in flight
    QTimer m_poll;
    SwarmLauncher *m_launcher = nullptr;

    QLabel *m_summary;
    QPushButton *m_refresh;
    QTreeWidget *m_tree;
    QSpinBox *m_replicas;
    QPushButton *m_launch;
    QPushButton *m_stop;
    QLabel *m_status;
    QPlainTextEdit *m_output;
};
