#pragma once

#include "common/Error.h"
#include "engine/Endpoint.h"
#include "engine/EngineTypes.h"
#include "launch/LaunchSpec.h"

#include <QMainWindow>
#include <QPointer>
#include <QTimer>

class CapabilityBox;
class CloseQuestion;
class CommandPane;
class ContainersDock;
class DockerClient;
class DoctorDialog;
class Engine;
class EngineList;
class EnginePicker;
class EngineRegistry;
class EngineSelection;
class EngineStatus;
class EngineWatch;
class GpuInventory;
class GpuMonitor;
class GpuPanel;
class ImageList;
class LaunchEditor;
class LaunchForm;
class LogView;
class Offers;
class PresetBar;
class PresetEngine;
class PullDialog;
class SwarmView;
class ToolDialogs;
class WindowActions;
class QComboBox;
class QMessageBox;
class QSplitter;
class QToolBar;

// GPU Deck's window: the engines and their images on the left, GPUs and capabilities in the
// middle, the launch form on the right, one log tab per container below beside the equivalent
// command, presets on the toolbar, the selected engine's state and picker in the status bar. It
// composes the core (EngineRegistry and its Engines, Launcher, ImagePull, Doctor) and the widgets,
// and adds no engine logic of its own.
class MainWindow : public QMainWindow
{
    Q_OBJECT

public:
    // hostOption: --host as given (empty: DOCKER_HOST, the docker context, the default socket).
    explicit MainWindow(const QString &hostOption = {}, QWidget *parent = nullptr);
    ~MainWindow() override;

    // The selected engine's client; null when its address did not resolve.
    DockerClient *client() const;
    // The selected engine's host's GPUs (this machine's when the engine has no address).
    GpuMonitor *gpuMonitor() const;
    EngineRegistry *engineRegistry() const;
    Engine *engine() const;
    EngineList *engineList() const { return m_engineList; }
    GpuPanel *gpuPanel() const { return m_gpus; }
    SwarmView *swarmView() const { return m_swarm; }
    CapabilityBox *capabilityBox() const { return m_caps; }
    ImageList *imageList() const { return m_images; }
    LaunchForm *launchForm() const { return m_form; }
    LogView *logView() const { return m_logs; }
    ContainersDock *containersDock() const { return m_containers; }
    QToolBar *mainToolBar() const;
    PresetBar *presetBar() const { return m_presets; }
    CommandPane *commandPane() const { return m_command; }
    EngineWatch *engineWatch() const;
    QComboBox *engineCombo() const;
    DoctorDialog *doctorDialog() const;
    PullDialog *pullDialog() const;
    // The question the window asked after a failed launch (pull the image? run the doctor?).
    QMessageBox *offer() const;

    // The launch as the window shows it; problems the fields themselves find go to issues.
    LaunchSpec currentSpec(QList<ValidationIssue> *issues = nullptr) const;
    void applySpec(const LaunchSpec &spec);

    // True once the engine answered (or failed to); the status line says which.
    bool engineKnown() const { return m_engineKnown; }
    const Error &engineError() const { return m_engineError; }

    void launch();
    void stopCurrent();
    void refreshEngine();
    // Talks to another engine from now on; running log tabs stay on the one they started on.
    void switchEngine(const Endpoint &endpoint);
    void selectEngine(Engine *engine);
    DoctorDialog *showDoctor(const QString &reason = {});
    PullDialog *showPull(const QString &reference, bool start = false);

protected:
    void closeEvent(QCloseEvent *event) override;

private:
    void buildActions();
    void buildLayout();
    void validateLive();
    // A tab launching spec on engine on (validated already).
    void startLaunch(Engine *on, const LaunchSpec &spec);
    // The inventory of the engine's host's GPUs, null when they cannot be read from here.
    // of: the selected engine when null.
    GpuInventory *hostInventory(const Engine *of = nullptr) const;
    // spec as the equivalent commands show it: free GPUs resolved against the latest read.
    LaunchSpec exportedSpec(const LaunchSpec &spec) const;
    void showMessage(const QString &text);
    void onEngineSelected(Engine *engine);
    void onEngineInfo(const EngineInfo &info);
    void onEngineError(const Error &error);
    void onEngineState();
    void showEngineImages();
    void updateActions();
    void restoreSettings();
    void saveSettings() const;

    EngineRegistry *m_registry = nullptr;
    EngineSelection *m_selection = nullptr;
    ContainersDock *m_containers = nullptr;
    Error m_engineError;
    bool m_engineKnown = false;
    GpuMonitor *m_monitor; // this machine's GPUs, for an engine without an address
    EngineList *m_engineList;

    ImageList *m_images;
    GpuPanel *m_gpus;
    CapabilityBox *m_caps;
    SwarmView *m_swarm = nullptr; // shown while the selected engine is a swarm manager
    QWidget *m_swarmBox = nullptr;
    LaunchForm *m_form;
    LogView *m_logs;
    CommandPane *m_command;
    PresetBar *m_presets;
    QSplitter *m_mainSplitter;
    QSplitter *m_topSplitter;
    QSplitter *m_bottomSplitter;
    QSplitter *m_leftSplitter;
    EngineStatus *m_engineStatus = nullptr;
    EnginePicker *m_engineCombo;
    Offers *m_offers;
    PresetEngine *m_presetEngine = nullptr;
    CloseQuestion *m_closeQuestion;
    ToolDialogs *m_dialogs;
    LaunchEditor *m_editor;

    WindowActions *m_actions = nullptr;
};
