#include "MainWindow.h"

#include <algorithm>

#include "CapabilityBox.h"
#include "CommandPane.h"
#include "DoctorDialog.h"
#include "EngineList.h"
#include "GpuPanel.h"
#include "Icons.h"
#include "ImageList.h"
#include "LaunchForm.h"
#include "LogPage.h"
#include "LogView.h"
#include "PresetBar.h"
#include "PullDialog.h"
#include "StatusColors.h"
#include "SwarmView.h"
#include "engine/CdiSpecs.h"
#include "engine/ContainerDirectory.h"
#include "engine/DockerClient.h"
#include "engine/Endpoint.h"
#include "engine/EngineError.h"
#include "engine/EngineWatch.h"
#include "fleet/Engine.h"
#include "fleet/EngineRegistry.h"
#include "gpu/GpuInventory.h"
#include "gpu/GpuMonitor.h"
#include "launch/CudaRequirement.h"
#include "launch/FreeGpuPicker.h"
#include "launch/Launcher.h"
#include "presets/Preset.h"

#include <QAbstractButton>
#include <QAction>
#include <QApplication>
#include <QCloseEvent>
#include <QComboBox>
#include <QGroupBox>
#include <QJsonDocument>
#include <QLabel>
#include <QLocale>
#include <QMenuBar>
#include <QMessageBox>
#include <QPushButton>
#include <QScreen>
#include <QSettings>
#include <QSplitter>
#include <QStatusBar>
#include <QTimer>
#include <QToolBar>
#include <QToolButton>
#include <QVBoxLayout>

namespace {

QWidget *titled(const QString &title, QWidget *content, QWidget *parent)
{
    auto *box = new QGroupBox(title, parent);
    auto *layout = new QVBoxLayout(box);
    layout->setContentsMargins(6, 6, 6, 6);
    layout->addWidget(content);
    return box;
}

} // namespace

MainWindow::MainWindow(const QString &hostOption, QWidget *parent)
    : QMainWindow(parent),
      m_monitor(new GpuMonitor(this)),
      m_engineList(new EngineList(this)),
      m_images(new ImageList(this)),
      m_gpus(new GpuPanel(this)),
      m_caps(new CapabilityBox(this)),
      m_form(new LaunchForm(this)),
      m_logs(new LogView(this)),
      m_command(new CommandPane(this)),
      m_presets(new PresetBar(QString(), this)),
      m_mainSplitter(new QSplitter(Qt::Vertical, this)),
      m_topSplitter(new QSplitter(Qt::Horizontal, this)),
      m_bottomSplitter(new QSplitter(Qt::Horizontal, this)),
      m_engineStatus(new QLabel(this)),
      m_engineIcon(new QLabel(this)),
      m_engineState(new QLabel(this)),
      m_engineCombo(new QComboBox(this)),
      m_leftSplitter(new QSplitter(Qt::Vertical, this))
{
    setObjectName(QStringLiteral("mainWindow"));
    setWindowTitle(tr("GPU Deck"));
    const QString appId = QStringLiteral("io.github.gpudeck.GpuDeck");
    setWindowIcon(QIcon::fromTheme(appId, Icons::get(appId)));

    m_hostOption = hostOption;
    // After the widgets: log tabs hold the engines' clients, so the engines go after them.
    m_registry = new EngineRegistry(hostOption, this);
    m_presets->setSpecSource([this]() { return currentSpec(); });
    m_presets->setEngineSource([this]() { return presetEngine(); });

    buildLayout();
    buildActions();

    connect(m_images, &ImageList::imagePicked, m_form, &LaunchForm::setImage);
    connect(m_images, &ImageList::imageActivated, this, [this](const QString &image) {
        m_form->setImage(image);
        launch();
    });
    connect(m_images, &ImageList::refreshRequested, this, &MainWindow::refreshEngine);
    connect(m_form, &LaunchForm::launchRequested, this, &MainWindow::launch);
    connect(m_form, &LaunchForm::stopRequested, this, &MainWindow::stopCurrent);
    connect(m_form, &LaunchForm::changed, this, &MainWindow::validateLive);
    connect(m_gpus, &GpuPanel::selectionChanged, this, &MainWindow::validateLive);
    connect(m_gpus, &GpuPanel::busyWarningChanged, m_form, &LaunchForm::setNotice);
    connect(m_caps, &CapabilityBox::changed, this, &MainWindow::validateLive);
    connect(m_logs, &LogView::currentStateChanged, this, &MainWindow::updateActions);
    connect(m_presets, &PresetBar::presetLoaded, this, [this](const Preset &preset) {
        applySpec(preset.spec());
        followPresetEngine(preset);
    });
    connect(m_presets, &PresetBar::message, this,
            [this](const QString &text) { statusBar()->showMessage(text, 8000); });
    connect(m_engineCombo, &QComboBox::activated, this, &MainWindow::onEnginePicked);
    connect(m_engineList, &EngineList::engineSelected, this, &MainWindow::selectEngine);
    connect(m_registry, &EngineRegistry::engineAdded, this, &MainWindow::fillEnginePicker);
    connect(m_registry, &EngineRegistry::engineRemoved, this, [this](Engine *engine) {
        fillEnginePicker();
        if (engine == m_engine) {
            const QList<Engine *> &engines = m_registry->engines();
            Engine *next = m_registry->current() ? m_registry->current() : engines.value(0);
            if (next)
                selectEngine(next);
        }
    });

    restoreSettings();
    updateActions();
    // Every engine is watched from here on, each on its own; the window shows one of them.
    m_registry->load();
    m_engineList->setRegistry(m_registry);
    fillEnginePicker();
    if (Engine *engine = restoredEngine())
        selectEngine(engine);
}

// --host and DOCKER_HOST say which engine to use; without them, the one selected last time, else
// the current docker context.
Engine *MainWindow::restoredEngine() const
{
    Engine *current = m_registry->current();
    if (current
        && (current->source() == QLatin1String("--host")
            || current->source() == QLatin1String("DOCKER_HOST")))
        return current;
    QSettings settings;
    const QString url = settings.value(QStringLiteral("engines/selected")).toString();
    const QString name = settings.value(QStringLiteral("engines/selectedName")).toString();
    if (!url.isEmpty()) {
        const QList<Engine *> &engines = m_registry->engines();
        for (Engine *engine : engines) {
            if (engine->url() == url && engine->name() == name)
                return engine;
        }
        if (Engine *engine = m_registry->find(url))
            return engine;
    }
    return current ? current : m_registry->engines().value(0);
}

Engine *MainWindow::engine() const
{
    return m_engine;
}

DockerClient *MainWindow::client() const
{
    return m_engine ? m_engine->client() : nullptr;
}

GpuMonitor *MainWindow::gpuMonitor() const
{
    return m_engine && m_engine->gpuMonitor() ? m_engine->gpuMonitor() : m_monitor;
}

EngineWatch *MainWindow::engineWatch() const
{
    return m_engine ? m_engine->watch() : nullptr;
}

MainWindow::~MainWindow() = default;

DoctorDialog *MainWindow::doctorDialog() const
{
    return m_doctorDialog;
}

PullDialog *MainWindow::pullDialog() const
{
    return m_pullDialog;
}

QMessageBox *MainWindow::offer() const
{
    return m_offer;
}

void MainWindow::buildLayout()
{
    auto *gpuColumn = new QWidget(this);
    auto *gpuLayout = new QVBoxLayout(gpuColumn);
    gpuLayout->setContentsMargins(0, 0, 0, 0);
    gpuLayout->addWidget(titled(tr("GPUs"), m_gpus, gpuColumn), 1);
    gpuLayout->addWidget(m_caps);
    m_swarm = new SwarmView(gpuColumn);
    m_swarm->setSpecSource([this]() { return currentSpec(); });
    connect(m_swarm, &SwarmView::launchRequested, this,
            [this](DockerClient *swarm, const LaunchSpec &spec, int replicas) {
                const QString where = m_registry->engines().size() > 1 && m_engine
                                          ? m_engine->name()
                                          : QString();
                m_logs->launchOnSwarm(swarm, spec, replicas, where);
                saveSettings();
                updateActions();
            });
    m_swarmBox = titled(tr("Swarm"), m_swarm, gpuColumn);
    m_swarmBox->setVisible(false);
    gpuLayout->addWidget(m_swarmBox, 1);

    m_leftSplitter->setObjectName(QStringLiteral("leftSplitter"));
    m_leftSplitter->addWidget(titled(tr("Engines"), m_engineList, this));
    m_leftSplitter->addWidget(titled(tr("Images"), m_images, this));
    m_leftSplitter->setStretchFactor(0, 1);
    m_leftSplitter->setStretchFactor(1, 2);
    m_leftSplitter->setChildrenCollapsible(false);

    m_topSplitter->setObjectName(QStringLiteral("topSplitter"));
    m_topSplitter->addWidget(m_leftSplitter);
    m_topSplitter->addWidget(gpuColumn);
    m_topSplitter->addWidget(titled(tr("Launch"), m_form, this));
    m_topSplitter->setStretchFactor(0, 2);
    m_topSplitter->setStretchFactor(1, 6);
    m_topSplitter->setStretchFactor(2, 3);
    m_topSplitter->setChildrenCollapsible(false);

    m_bottomSplitter->setObjectName(QStringLiteral("bottomSplitter"));
    m_bottomSplitter->addWidget(m_logs);
    m_bottomSplitter->addWidget(titled(tr("Equivalent command"), m_command, this));
    m_bottomSplitter->setStretchFactor(0, 2);
    m_bottomSplitter->setStretchFactor(1, 1);
    m_bottomSplitter->setChildrenCollapsible(false);

    m_mainSplitter->setObjectName(QStringLiteral("mainSplitter"));
    m_mainSplitter->addWidget(m_topSplitter);
    m_mainSplitter->addWidget(m_bottomSplitter);
    m_mainSplitter->setStretchFactor(0, 1);
    m_mainSplitter->setStretchFactor(1, 1);
    m_mainSplitter->setChildrenCollapsible(false);

    auto *central = new QWidget(this);
    auto *layout = new QVBoxLayout(central);
    layout->setContentsMargins(6, 6, 6, 0);
    layout->addWidget(m_mainSplitter);
    setCentralWidget(central);

    m_engineStatus->setObjectName(QStringLiteral("engineStatus"));
    m_engineStatus->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_engineStatus->setText(tr("Connecting to the engine…"));
    m_engineState->setObjectName(QStringLiteral("engineState"));
    m_engineState->setText(tr("Connecting"));
    m_engineCombo->setObjectName(QStringLiteral("engineCombo"));
    m_engineCombo->setToolTip(tr("The engine to talk to: the docker contexts of this machine"));
    m_engineCombo->setSizeAdjustPolicy(QComboBox::AdjustToContents);
    auto *engineLabel = new QLabel(tr("&Engine:"), this);
    engineLabel->setBuddy(m_engineCombo);
    statusBar()->addWidget(m_engineIcon);
    statusBar()->addWidget(m_engineState);
    statusBar()->addWidget(m_engineStatus, 1);
    statusBar()->addPermanentWidget(engineLabel);
    statusBar()->addPermanentWidget(m_engineCombo);
    statusBar()->setSizeGripEnabled(true);
}

void MainWindow::buildActions()
{
    m_launchAction = new QAction(Icons::get(QStringLiteral("launch")), tr("&Launch"), this);
    m_launchAction->setObjectName(QStringLiteral("launchAction"));
    m_launchAction->setShortcuts(
        {QKeySequence(Qt::CTRL | Qt::Key_Return), QKeySequence(Qt::CTRL | Qt::Key_Enter)});
    m_launchAction->setToolTip(tr("Launch the container (Ctrl+Return)"));
    connect(m_launchAction, &QAction::triggered, this, &MainWindow::launch);

    m_stopAction = new QAction(Icons::get(QStringLiteral("stop")), tr("&Stop"), this);
    m_stopAction->setObjectName(QStringLiteral("stopAction"));
    m_stopAction->setShortcut(QKeySequence(Qt::Key_Escape));
    m_stopAction->setToolTip(tr("Stop the launch of the log in front (Esc)"));
    connect(m_stopAction, &QAction::triggered, this, &MainWindow::stopCurrent);

    m_refreshAction = new QAction(Icons::get(QStringLiteral("refresh")), tr("&Refresh"), this);
    m_refreshAction->setObjectName(QStringLiteral("refreshAction"));
    m_refreshAction->setShortcut(QKeySequence::Refresh);
    m_refreshAction->setToolTip(tr("Ask the engine again for its state and images (F5)"));
    connect(m_refreshAction, &QAction::triggered, this, &MainWindow::refreshEngine);

    auto *find = new QAction(Icons::get(QStringLiteral("find")), tr("&Find in Log…"), this);
    find->setObjectName(QStringLiteral("findAction"));
    find->setShortcut(QKeySequence::Find);
    connect(find, &QAction::triggered, m_logs, &LogView::showFind);

    auto *save = new QAction(Icons::get(QStringLiteral("save")), tr("&Save Log…"), this);
    save->setShortcut(QKeySequence::Save);
    connect(save, &QAction::triggered, m_logs, &LogView::saveCurrent);

    auto *clear = new QAction(Icons::get(QStringLiteral("clear")), tr("C&lear Log"), this);
    clear->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_L));
    connect(clear, &QAction::triggered, m_logs, &LogView::clearCurrent);

    auto *closeTab = new QAction(tr("&Close Log Tab"), this);
    closeTab->setObjectName(QStringLiteral("closeTabAction"));
    closeTab->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_W));
    connect(closeTab, &QAction::triggered, m_logs, &LogView::closeCurrent);

    m_pullAction = new QAction(Icons::get(QStringLiteral("go-down")), tr("&Pull Image…"), this);
    m_pullAction->setObjectName(QStringLiteral("pullAction"));
    m_pullAction->setIconText(tr("Pull"));
    m_pullAction->setShortcut(QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_P));
    m_pullAction->setToolTip(tr("Pull an image into the engine (Ctrl+Shift+P)"));
    connect(m_pullAction, &QAction::triggered, this, [this]() { showPull(m_form->image()); });

    m_doctorAction = new QAction(Icons::get(QStringLiteral("gpu")), tr("GPU &Readiness…"), this);
    m_doctorAction->setObjectName(QStringLiteral("doctorAction"));
    m_doctorAction->setIconText(tr("Doctor"));
    m_doctorAction->setToolTip(tr("Can containers on this engine use the GPUs? The checklist with "
                                  "the fix for each failing line"));
    connect(m_doctorAction, &QAction::triggered, this, [this]() { showDoctor(); });

    auto *quit = new QAction(tr("&Quit"), this);
    quit->setShortcut(QKeySequence::Quit);
    connect(quit, &QAction::triggered, this, &QWidget::close);

    QMenu *container = menuBar()->addMenu(tr("&Container"));
    container->addAction(m_launchAction);
    container->addAction(m_stopAction);
    container->addSeparator();
    container->addAction(m_refreshAction);
    container->addAction(m_pullAction);
    container->addAction(m_doctorAction);
    container->addSeparator();
    container->addAction(quit);
    QMenu *presets = menuBar()->addMenu(tr("&Presets"));
    const QList<QAction *> presetActions = m_presets->presetActions();
    presets->addActions(presetActions.mid(0, 2));
    presets->addSeparator();
    presets->addActions(presetActions.mid(2));
    QMenu *log = menuBar()->addMenu(tr("&Log"));
    log->addAction(find);
    log->addAction(save);
    log->addAction(clear);
    log->addAction(closeTab);

    m_toolBar = addToolBar(tr("Main"));
    m_toolBar->setObjectName(QStringLiteral("mainToolBar"));
    m_toolBar->setMovable(false);
    m_toolBar->setToolButtonStyle(Qt::ToolButtonTextBesideIcon);
    m_toolBar->addAction(m_launchAction);
    m_toolBar->addAction(m_stopAction);
    m_toolBar->addSeparator();
    m_toolBar->addAction(m_refreshAction);
    m_toolBar->addAction(m_pullAction);
    m_toolBar->addAction(m_doctorAction);
    m_toolBar->addSeparator();
    m_toolBar->addWidget(m_presets);
    presetActions.at(0)->setIconText(tr("Save"));
    presetActions.at(1)->setIconText(tr("Save As…"));
    m_toolBar->addAction(presetActions.at(0));
    m_toolBar->addAction(presetActions.at(1));
    auto *more = new QToolButton(this);
    more->setObjectName(QStringLiteral("presetMore"));
    more->setText(tr("More"));
    more->setToolTip(tr("Rename, delete, import or export presets"));
    more->setMenu(m_presets->moreMenu());
    more->setPopupMode(QToolButton::InstantPopup);
    more->setToolButtonStyle(Qt::ToolButtonTextOnly);
    m_toolBar->addWidget(more);
}

LaunchSpec MainWindow::currentSpec(QList<ValidationIssue> *issues) const
{
    LaunchSpec spec = m_base;
    QList<ValidationIssue> local;
    m_form->fillSpec(&spec, issues ? issues : &local);
    spec.gpus = m_gpus->selection();
    spec.capabilities = m_caps->capabilities();
    return spec;
}

void MainWindow::applySpec(const LaunchSpec &spec)
{
    m_base = spec;
    m_form->setSpec(spec);
    m_gpus->setSelection(spec.gpus);
    m_caps->setCapabilities(spec.capabilities);
    m_images->selectImage(spec.image);
}

void MainWindow::showIssues(const QList<ValidationIssue> &issues, bool all)
{
    m_form->showIssues(issues, all);
    QStringList gpu;
    QStringList caps;
    for (const ValidationIssue &issue : issues) {
        if (issue.field == QLatin1String("gpus"))
            gpu.append(issue.message);
        else if (issue.field == QLatin1String("capabilities"))
            caps.append(issue.message);
    }
    m_gpus->setIssue(gpu.join(QLatin1Char('\n')));
    m_caps->setIssue(caps.join(QLatin1Char('\n')));
}

void MainWindow::validateLive()
{
    QList<ValidationIssue> issues;
    const LaunchSpec spec = currentSpec(&issues);
    DockerClient *docker = client();
    issues += spec.validate(docker ? docker->apiVersion() : QString(),
                            docker ? docker->kind() : EngineKind::Docker);
    showIssues(issues, false);
    m_command->setSpec(exportedSpec(spec));
    // Podman takes GPUs only as CDI devices, whatever the driver field says.
    m_gpus->setCdiLaunch(spec.deviceDriver == QLatin1String("cdi")
                         || (docker && docker->kind() == EngineKind::Podman));
    m_presets->launchChanged(spec);
}

GpuInventory *MainWindow::hostInventory() const
{
    // The engine's host's GPUs; null for remote engines other than ssh, whose GPUs cannot be read
    // from here.
    if (!m_engine || !m_engine->client())
        return nullptr;
    return m_engine->gpuMonitor() ? m_engine->gpuMonitor()->inventory() : nullptr;
}

LaunchSpec MainWindow::exportedSpec(const LaunchSpec &spec) const
{
    // "N free GPUs" shown as the GPUs a launch would take now, so that the command takes them too.
    if (spec.gpus.mode != GpuSelection::Mode::Free || !hostInventory())
        return spec;
    const Result<LaunchSpec> resolved = FreeGpuPicker::resolve(spec.resolvedFor(client()->kind()),
                                                               gpuMonitor()->latest(),
                                                               FreeGpuPicker::reserved(
                                                                   client()->endpoint().url));
    return resolved ? resolved.value() : spec;
}

void MainWindow::launch()
{
    DockerClient *docker = client();
    if (!docker) {
        statusBar()->showMessage(m_engineError.message(), 8000);
        return;
    }
    QList<ValidationIssue> issues;
    const LaunchSpec spec = currentSpec(&issues);
    issues += spec.validate(docker->apiVersion(), docker->kind());
    showIssues(issues, true);
    if (!issues.isEmpty()) {
        statusBar()->showMessage(tr("Not launched: %1").arg(issues.first().message), 8000);
        return;
    }
    // The tab names its engine when there is more than one to choose from.
    const QString where = m_registry->engines().size() > 1 ? m_engine->name() : QString();
    LogPage *page = m_logs->launch(docker, spec, hostInventory(), where);
    if (ContainerDirectory *containers = m_engine->containers())
        connect(page->launcher(), &Launcher::containerCreated, containers,
                &ContainerDirectory::markYours);
    QPointer<LogPage> guard(page);
    connect(page->launcher(), &Launcher::finished, this, [this, guard]() {
        if (guard)
            onLaunchFinished(guard);
    });
    saveSettings();
    updateActions();
}

void MainWindow::stopCurrent()
{
    m_logs->stopCurrent();
}

void MainWindow::refreshEngine()
{
    if (!m_engine)
        return;
    if (!m_engine->client()) {
        onEngineError(m_engine->error());
        return;
    }
    if (m_engine->state() == Engine::State::Connected)
        m_images->setLoading();
    m_engine->refresh(); // the engine says what it found through its signals
}

// Everything the window shows of an engine follows the selected one; what the others do reaches
// only their rows in the engine list.
void MainWindow::selectEngine(Engine *engine)
{
    if (!engine || engine == m_engine)
        return;
    if (m_engine)
        m_engine->setSelected(false);
    // connections to the previous engine end here: its late answers reach nobody
    delete m_selection;
    m_selection = new QObject(this);
    m_engine = engine;
    m_engineAlias.clear();
    // Until the engine's info says it is a manager (a swarm launch under way goes on in its tab).
    m_swarm->setEngine(nullptr, false);
    m_swarmBox->setVisible(false);
    engine->setSelected(true);
    m_engineList->setCurrent(engine);
    fillEnginePicker();
    QSettings settings;
    settings.setValue(QStringLiteral("engines/selected"), engine->url());
    settings.setValue(QStringLiteral("engines/selectedName"), engine->name());

    connect(engine, &Engine::stateChanged, m_selection, [this]() { onEngineState(); });
    connect(engine, &Engine::infoChanged, m_selection,
            [this, engine]() { onEngineInfo(engine->info()); });
    connect(engine, &Engine::imagesChanged, m_selection, [this]() { showEngineImages(); });
    connect(engine, &Engine::imageCudaChanged, m_selection,
            [this](const QString &id, const QString &cuda) { m_images->setImageCuda(id, cuda); });

    // The GPU panel shows the engine's host: this machine for a local engine, the host's own
    // nvidia-smi over an ssh engine's connection, and for other remote engines the reason, never
    // this machine's GPUs by mistake.
    GpuMonitor *monitor = gpuMonitor();
    if (engine->client())
        m_monitor->pause(); // this machine's GPUs are only for an engine without an address
    if (engine->client() && !engine->gpuMonitor()) {
        m_gpus->setSnapshot(engine->gpus());
    } else {
        connect(monitor, &GpuMonitor::updated, m_selection, [this](const GpuSnapshot &snapshot) {
            m_gpus->setSnapshot(snapshot);
            if (m_gpus->selection().mode == GpuSelection::Mode::Free)
                validateLive(); // the command names the GPUs that are free now
        });
        if (monitor == m_monitor && !m_monitor->isRunning())
            m_monitor->start();
        else if (monitor->latest().taken.isValid() || !monitor->latest().ok())
            m_gpus->setSnapshot(monitor->latest());
    }

    m_command->setEngine(presetEngine());
    onEngineState();
    if (engine->hasImages())
        showEngineImages();
    else if (engine->client())
        m_images->setLoading();
    engine->start();
    updateActions();
    validateLive();
}

void MainWindow::showEngineImages()
{
    if (!m_engine)
        return;
    if (m_engine->imagesError().isError()) {
        m_images->setError(m_engine->imagesError().message());
        return;
    }
    const QList<ImageSummary> &images = m_engine->images();
    m_images->setImages(images);
    for (const ImageSummary &image : images) {
        const QString cuda = m_engine->imageCuda(image.id);
        if (!cuda.isEmpty())
            m_images->setImageCuda(image.id, cuda);
    }
    // A first start has no image in the form: offer one so Launch works at once, a GPU-ready one
    // when there is one.
    if (m_form->image().isEmpty() && !images.isEmpty()) {
        const auto ready = std::find_if(images.cbegin(), images.cend(),
                                        [](const ImageSummary &image) {
                                            return image.looksGpuReady();
                                        });
        const ImageSummary &pick = ready != images.cend() ? *ready : images.first();
        m_form->setImage(pick.displayName());
    }
}

void MainWindow::onEngineState()
{
    if (!m_engine)
        return;
    switch (m_engine->state()) {
    case Engine::State::Connecting:
        m_engineKnown = false;
        m_engineError = Error();
        m_engineIcon->clear();
        m_engineStatus->setStyleSheet({});
        m_engineStatus->setToolTip({});
        m_engineStatus->setText(tr("Connecting to %1…").arg(m_engine->url()));
        setEngineState(tr("Connecting"), true);
        break;
    case Engine::State::Connected:
        m_engineError = Error();
        if (m_engine->hasInfo())
            onEngineInfo(m_engine->info());
        else
            setEngineState(tr("Connected"), true);
        break;
    case Engine::State::Down:
        // Log tabs stay as they are: their output is what the user still needs to read.
        onEngineError(m_engine->error());
        if (m_engine->client())
            m_engineStatus->setToolTip(tr("Reconnecting on its own when the engine is back."));
        break;
    }
    updateActions();
}

void MainWindow::setEngineState(const QString &text, bool ok)
{
    m_engineState->setText(text);
    m_engineState->setStyleSheet(
        ok ? QStringLiteral("font-weight: bold;")
           : QStringLiteral("font-weight: bold; ")
                 + StatusColors::styleSheet(StatusColors::Tone::Error, m_engineState));
}

// The status bar's picker and the engine list show the same engines; either one selects.
void MainWindow::fillEnginePicker()
{
    const QSignalBlocker block(m_engineCombo);
    m_engineCombo->clear();
    int currentIndex = -1;
    const QList<Engine *> &engines = m_registry->engines();
    for (Engine *engine : engines) {
        const bool context = engine->source() == QLatin1String("context")
                             || engine->source() == QLatin1String("default");
        QString text = context ? tr("context %1").arg(engine->name())
                               : tr("%1 (%2)").arg(engine->name(), engine->source());
        if (engine == m_registry->current() && context)
            text = tr("context %1 (current)").arg(engine->name());
        m_engineCombo->addItem(text, QVariant::fromValue(static_cast<QObject *>(engine)));
        m_engineCombo->setItemData(m_engineCombo->count() - 1, engine->url(), Qt::ToolTipRole);
        if (engine == m_engine)
            currentIndex = m_engineCombo->count() - 1;
    }
    m_engineCombo->setCurrentIndex(currentIndex);
    m_engineCombo->setVisible(m_engineCombo->count() > 0);
}

void MainWindow::onEnginePicked(int index)
{
    if (auto *engine = qobject_cast<Engine *>(m_engineCombo->itemData(index).value<QObject *>()))
        selectEngine(engine);
}

void MainWindow::switchEngine(const Endpoint &endpoint)
{
    selectEngine(m_registry->engineFor(endpoint));
}

DoctorDialog *MainWindow::showDoctor(const QString &reason)
{
    if (!client()) {
        statusBar()->showMessage(m_engineError.message(), 8000);
        return nullptr;
    }
    if (m_doctorDialog)
        m_doctorDialog->close();
    QList<LaunchSpec> presets;
    const QList<PresetStore::Entry> entries = m_presets->store().list();
    for (const PresetStore::Entry &entry : entries) {
        if (!entry.isBroken())
            presets.append(entry.preset->spec());
    }
    presets.append(currentSpec());
    m_doctorDialog = new DoctorDialog(client(), gpuMonitor()->inventory(), presets, this);
    m_doctorDialog->setReason(reason);
    m_doctorDialog->show();
    m_doctorDialog->run();
    return m_doctorDialog;
}

PullDialog *MainWindow::showPull(const QString &reference, bool start)
{
    if (!client()) {
        statusBar()->showMessage(m_engineError.message(), 8000);
        return nullptr;
    }
    if (m_pullDialog && !m_pullDialog->pull()) {
        m_pullDialog->close();
    } else if (m_pullDialog) {
        m_pullDialog->raise();
        m_pullDialog->activateWindow();
        return m_pullDialog;
    }
    m_pullDialog = new PullDialog(client(), reference, this);
    connect(m_pullDialog, &PullDialog::pulled, this, [this](const QString &image) {
        statusBar()->showMessage(tr("Pulled %1.").arg(image), 8000);
        if (m_engine)
            m_engine->refreshImages();
        m_form->setImage(image);
    });
    m_pullDialog->show();
    if (start)
        m_pullDialog->start();
    return m_pullDialog;
}

void MainWindow::onLaunchFinished(LogPage *page)
{
    const Launcher *launcher = page->launcher();
    if (launcher->state() != Launcher::State::Failed)
        return;
    const Error &error = launcher->error();
    const LaunchSpec &spec = launcher->spec();
    if (error.code() == Error::Code::DeviceDriver && spec.usesGpus()) {
        ask(QStringLiteral("doctorOffer"), tr("The engine cannot hand out GPUs"),
            tr("%1\n\nThe GPU readiness checklist shows what is missing and how to fix it.")
                .arg(error.message()),
            tr("Run the &Checklist"), [this, error]() { showDoctor(error.message()); });
    } else if (EngineError::isMissingImage(error.why())) {
        const QString image = spec.image;
        ask(QStringLiteral("pullOffer"), tr("Image not found"),
            tr("The engine has no image %1. Pull it now?").arg(image), tr("&Pull"),
            [this, image]() { showPull(image, true); });
    }
}

// What a preset saved now names as its engine: the selected context by name, an address the user
// gave by URL, and nothing for the engine the usual resolution finds anyway.
QString MainWindow::presetEngine() const
{
    if (!m_engine || !m_engine->client())
        return {};
    if (!m_engineAlias.isEmpty())
        return m_engineAlias;
    const QString source = m_engine->source();
    if (source == QLatin1String("context") || source == QLatin1String("podman"))
        return m_engine->name();
    if (source == QLatin1String("--host") || source == QLatin1String("added")
        || source == QLatin1String("preset"))
        return m_engine->url();
    return {};
}

// A preset that names its engine runs there. An engine socket is root on its host, so an engine
// not trusted before is shown with its host and asked about once; a trusted one is switched to.
void MainWindow::followPresetEngine(const Preset &preset)
{
    if (preset.engine().isEmpty())
        return;
    const Result<Endpoint> endpoint = EndpointResolver::resolveForPreset({}, preset.engine());
    if (!endpoint) {
        statusBar()->showMessage(endpoint.error().message(), 10000);
        return;
    }
    const Endpoint &target = endpoint.value();
    if (client() && client()->endpoint().url == target.url)
        return;
    const QString key = QStringLiteral("engines/trusted");
    const QString &alias = preset.engine(); // the lambda below keeps a copy
    if (QSettings().value(key).toStringList().contains(target.url)) {
        switchEngine(target);
        m_engineAlias = alias;
        m_command->setEngine(presetEngine());
        return;
    }
    const QString where = target.isRemote() ? tr("on the host %1").arg(target.host)
                                            : tr("on this machine");
    ask(QStringLiteral("engineOffer"), tr("Switch engine?"),
        tr("Preset \"%1\" runs on the engine at %2 (%3), %4. Whoever can use an engine is root on "
           "its "
           "host. Switch to it?")
            .arg(preset.name(), target.url, target.source, where),
        tr("&Switch"), [this, target, key, alias]() {
            QSettings settings;
            QStringList trusted = settings.value(key).toStringList();
            trusted.append(target.url);
            settings.setValue(key, trusted);
            switchEngine(target);
            m_engineAlias = alias;
            m_command->setEngine(presetEngine());
        });
}

// Asks without blocking: the window (and its running log tabs) go on while the question waits.
void MainWindow::ask(const QString &name, const QString &title, const QString &text,
                     const QString &action, const std::function<void()> &onYes)
{
    if (m_offer)
        m_offer->close();
    auto *box = new QMessageBox(QMessageBox::Question, title, text, QMessageBox::NoButton, this);
    box->setObjectName(name);
    box->setAttribute(Qt::WA_DeleteOnClose);
    QPushButton *yes = box->addButton(action, QMessageBox::AcceptRole);
    yes->setObjectName(QStringLiteral("offerAccept"));
    box->addButton(QMessageBox::Close);
    box->setDefaultButton(yes);
    connect(box, &QMessageBox::buttonClicked, this, [yes, onYes](QAbstractButton *button) {
        if (button == yes)
            onYes();
    });
    m_offer = box;
    box->open();
}

void MainWindow::onEngineInfo(const EngineInfo &info)
{
    m_engineKnown = true;
    m_engineError = Error();
    m_engineIcon->setPixmap(Icons::get(QStringLiteral("engine-ok")).pixmap(16, 16));
    if (!client())
        return;
    const Endpoint &endpoint = client()->endpoint();
    // Which GPUs have a CDI device there (its spec files when local, else what it discovered).
    m_gpus->setCdiDevices(CdiInventory::forEngine(info, !endpoint.isRemote()).names(),
                          info.cdiEnabled());
    m_command->setPodman(info.isPodman(), info.serverVersion);
    m_swarm->setEngine(client(), info.isSwarmManager());
    m_swarmBox->setVisible(info.isSwarmManager());
    // Plain tcp:// is allowed (the docker CLI allows it) but never quietly.
    setEngineState(endpoint.isInsecure() ? tr("Connected, not secure") : tr("Connected"),
                   !endpoint.isInsecure());
    m_engineStatus->setStyleSheet({});
    QString tip = tr("Engine at %1 (%2)\n%3, kernel %4\n%5 CPUs, %6 memory\nData root %7\n"
                     "Default runtime %8; engine API up to %9")
                      .arg(endpoint.url, endpoint.source, info.operatingSystem, info.kernelVersion,
                           QString::number(info.cpus),
                           QLocale().formattedDataSize(info.memoryBytes), info.rootDir,
                           info.defaultRuntime, info.engineApiVersion);
    if (endpoint.isInsecure()) {
        tip.prepend(endpoint.insecurityWarning() + QStringLiteral(".\n\n"));
        m_engineState->setToolTip(endpoint.insecurityWarning() + QLatin1Char('.'));
    } else {
        m_engineState->setToolTip({});
    }
    m_engineStatus->setToolTip(tip);
    m_engineStatus->setText(tr("Engine %1 (%2) — %3, API %4 — runtimes: %5")
                                .arg(endpoint.url, endpoint.source, info.productName(),
                                     info.apiVersion, info.runtimes.join(QStringLiteral(", "))));
    m_form->setRuntimes(info.runtimes, info.defaultRuntime);
    validateLive();
}

void MainWindow::onEngineError(const Error &error)
{
    m_engineKnown = true;
    m_engineError = error;
    setEngineState(tr("Disconnected"), false);
    m_engineIcon->setPixmap(Icons::get(QStringLiteral("engine-error")).pixmap(16, 16));
    m_engineStatus->setStyleSheet(
        StatusColors::styleSheet(StatusColors::Tone::Error, m_engineStatus));
    m_engineStatus->setText(error.message());
    m_images->setError(error.message());
}

void MainWindow::updateActions()
{
    LogPage *page = m_logs->currentPage();
    const bool running = page && page->isActive();
    m_stopAction->setEnabled(running);
    m_form->setRunning(running);
    m_launchAction->setEnabled(client() != nullptr);
    m_form->setLaunchEnabled(client() != nullptr, m_engineError.message());
}

void MainWindow::restoreSettings()
{
    QSettings settings;
    settings.beginGroup(QStringLiteral("window"));
    if (!restoreGeometry(settings.value(QStringLiteral("geometry")).toByteArray())) {
        // First start: most of the screen, not all of it.
        const QRect screen = QApplication::primaryScreen()
                                 ? QApplication::primaryScreen()->availableGeometry()
                                 : QRect(0, 0, 1600, 1000);
        resize(qMin(1500, screen.width() * 9 / 10), qMin(950, screen.height() * 9 / 10));
    }
    restoreState(settings.value(QStringLiteral("state")).toByteArray());
    if (!m_mainSplitter->restoreState(settings.value(QStringLiteral("mainSplitter")).toByteArray()))
        m_mainSplitter->setSizes({520, 420});
    if (!m_topSplitter->restoreState(settings.value(QStringLiteral("topSplitter")).toByteArray()))
        m_topSplitter->setSizes({400, 640, 450}); // the GPU table first; the engine list elides
    if (!m_bottomSplitter->restoreState(
            settings.value(QStringLiteral("bottomSplitter")).toByteArray()))
        m_bottomSplitter->setSizes({1000, 500});
    if (!m_leftSplitter->restoreState(settings.value(QStringLiteral("leftSplitter")).toByteArray()))
        m_leftSplitter->setSizes({230, 290});
    settings.endGroup();

    // The last launch as a preset document: one format for everything that stores a launch.
    const QByteArray last = settings.value(QStringLiteral("launch/last")).toByteArray();
    LaunchSpec spec;
    spec.command = {QStringLiteral("nvidia-smi")};
    spec.capabilities = {QStringLiteral("compute"), QStringLiteral("utility")};
    if (!last.isEmpty()) {
        if (const Result<Preset> preset = Preset::fromJson(last); preset)
            spec = preset.value().spec();
    }
    applySpec(spec);
    // The preset shown last, without loading it over the last launch: "modified" tells them apart.
    const QString preset = settings.value(QStringLiteral("presets/current")).toString();
    if (!preset.isEmpty())
        m_presets->select(preset, true);
    validateLive();
}

void MainWindow::saveSettings() const
{
    QSettings settings;
    settings.beginGroup(QStringLiteral("window"));
    settings.setValue(QStringLiteral("geometry"), saveGeometry());
    settings.setValue(QStringLiteral("state"), saveState());
    settings.setValue(QStringLiteral("mainSplitter"), m_mainSplitter->saveState());
    settings.setValue(QStringLiteral("topSplitter"), m_topSplitter->saveState());
    settings.setValue(QStringLiteral("bottomSplitter"), m_bottomSplitter->saveState());
    settings.setValue(QStringLiteral("leftSplitter"), m_leftSplitter->saveState());
    settings.endGroup();
    settings.setValue(QStringLiteral("presets/current"), m_presets->currentName());
    const Preset last(QStringLiteral("last"), currentSpec());
    settings.setValue(QStringLiteral("launch/last"), last.toFileBytes());
}

void MainWindow::closeEvent(QCloseEvent *event)
{
    if (!m_quitting && m_logs->hasActive()) {
        event->ignore();
        askBeforeClosing();
        return;
    }
    saveSettings();
    m_monitor->pause();
    if (GpuMonitor *monitor = gpuMonitor())
        monitor->pause();
    event->accept();
}

void MainWindow::askBeforeClosing()
{
    if (m_closeQuestion) {
        m_closeQuestion->raise();
        return;
    }
    int running = 0;
    const QList<LogPage *> pages = m_logs->pages();
    for (const LogPage *page : pages)
        running += page->isActive() ? 1 : 0;
    auto *box = new QMessageBox(QMessageBox::Question, tr("Quit GPU Deck"),
                                tr("%n container(s) launched from this window still run.", nullptr,
                                   running),
                                QMessageBox::NoButton, this);
    box->setObjectName(QStringLiteral("closeQuestion"));
    box->setInformativeText(tr("Stop them before quitting, or leave them running on the engine "
                               "(docker ps lists them; their output stays in docker logs)."));
    QPushButton *stop = box->addButton(tr("&Stop Them and Quit"), QMessageBox::AcceptRole);
    stop->setObjectName(QStringLiteral("closeStop"));
    QPushButton *leave = box->addButton(tr("&Leave Running and Quit"),
                                        QMessageBox::DestructiveRole);
    leave->setObjectName(QStringLiteral("closeLeave"));
    box->addButton(QMessageBox::Cancel)->setObjectName(QStringLiteral("closeCancel"));
    box->setDefaultButton(stop);
    box->setAttribute(Qt::WA_DeleteOnClose);
    m_closeQuestion = box;
    connect(box, &QMessageBox::buttonClicked, this, [this, stop, leave](QAbstractButton *clicked) {
        if (clicked == leave) {
            m_quitting = true;
            close();
        } else if (clicked == stop) {
            // The window goes at once; the process ends once the engine confirms every stop,
            // or after 15 s whatever it said (the containers are then left as they are).
            m_quitting = true;
            hide();
            connect(m_logs, &LogView::activityChanged, this, [this]() {
                if (!m_logs->hasActive())
                    close();
            });
            QTimer::singleShot(15000, this, &QWidget::close);
            m_logs->stopAll();
            if (!m_logs->hasActive())
                close();
        }
    });
    box->open();
}
