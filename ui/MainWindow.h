#pragma once

#include "common/Error.h"
#include "engine/EngineTypes.h"
#include "launch/LaunchSpec.h"

#include <QMainWindow>

class CapabilityBox;
class DockerClient;
class GpuMonitor;
class GpuPanel;
class ImageList;
class LaunchForm;
class LogView;
class QAction;
class QLabel;
class QSplitter;
class QToolBar;

// GPU Deck's window: images on the left, GPUs and capabilities in the middle, the launch form
// on the right, one log tab per container below, the engine's state in the status bar. It drives
// the core (DockerClient, Launcher, GpuMonitor) and adds no engine logic of its own.
class MainWindow : public QMainWindow
{
    Q_OBJECT

public:
    // hostOption: --host as given (empty: DOCKER_HOST, the docker context, the default socket).
    explicit MainWindow(const QString &hostOption = {}, QWidget *parent = nullptr);
    ~MainWindow() override;

    DockerClient *client() const { return m_client; }
    GpuMonitor *gpuMonitor() const { return m_monitor; }
    GpuPanel *gpuPanel() const { return m_gpus; }
    CapabilityBox *capabilityBox() const { return m_caps; }
    ImageList *imageList() const { return m_images; }
    LaunchForm *launchForm() const { return m_form; }
    LogView *logView() const { return m_logs; }
    // Room for the preset bar to come.
    QToolBar *mainToolBar() const { return m_toolBar; }

    // The launch as the window shows it; problems the fields themselves find go to issues.
    LaunchSpec currentSpec(QList<ValidationIssue> *issues = nullptr) const;
    void applySpec(const LaunchSpec &spec);

    // True once the engine answered (or failed to); the status line says which.
    bool engineKnown() const { return m_engineKnown; }
    const Error &engineError() const { return m_engineError; }

    void launch();
    void stopCurrent();
    void refreshEngine();

protected:
    void closeEvent(QCloseEvent *event) override;

private:
    void buildActions();
    void buildLayout();
    void validateLive();
    void showIssues(const QList<ValidationIssue> &issues, bool all);
    void onEngineInfo(const EngineInfo &info);
    void onEngineError(const Error &error);
    void updateActions();
    void restoreSettings();
    void saveSettings() const;

    DockerClient *m_client = nullptr;
    Error m_engineError;
    bool m_engineKnown = false;
    GpuMonitor *m_monitor;

    ImageList *m_images;
    GpuPanel *m_gpus;
    CapabilityBox *m_caps;
    LaunchForm *m_form;
    LogView *m_logs;
    QSplitter *m_mainSplitter;
    QSplitter *m_topSplitter;
    QToolBar *m_toolBar = nullptr;
    QLabel *m_engineStatus;
    QLabel *m_engineIcon;

    QAction *m_launchAction = nullptr;
    QAction *m_stopAction = nullptr;
    QAction *m_refreshAction = nullptr;
    bool m_closing = false;
};
