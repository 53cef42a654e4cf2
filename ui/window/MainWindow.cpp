#include "window/MainWindow.h"

#include "engine/CdiSpecs.h"
#include "engine/ContainerDirectory.h"
#include "engine/DockerClient.h"
#include "engine/Endpoint.h"
#include "engines/EngineList.h"
#include "engines/EnginePicker.h"
#include "engines/EngineSelection.h"
#include "engines/EngineStatus.h"
#include "fleet/Engine.h"
#include "fleet/EngineRegistry.h"
#include "gpu/GpuInventory.h"
#include "gpu/GpuMonitor.h"
#include "gpus/GpuAlerts.h"
#include "gpus/GpuPanel.h"
#include "images/ImageList.h"
#include "launch/CapabilityBox.h"
#include "launch/CommandPane.h"
#include "launch/FreeGpuPicker.h"
#include "launch/LaunchEditor.h"
#include "launch/LaunchForm.h"
#include "launch/Launcher.h"
#include "log/LogPage.h"
#include "log/LogView.h"
#include "presets/Preset.h"
#include "presets/PresetBar.h"
#include "presets/PresetEngine.h"
#include "swarm/SwarmView.h"
#include "widgets/Icons.h"
#include "window/CloseQuestion.h"
#include "window/ContainersDock.h"
#include "window/Offers.h"
#include "window/ToolDialogs.h"
#include "window/WaitingLaunches.h"
#include "window/WindowActions.h"

#include <QAction>
#include <QApplication>
#include <QCloseEvent>
#include <QElapsedTimer>
#include <QGroupBox>
#include <QKeySequence>
#include <QLabel>
#include <QMenu>
#include <QMenuBar>
#include <QMessageBox>
#include <QScreen>
#include <QSettings>
#include <QSplitter>
#include <QStatusBar>
#include <QToolBar>
#include <QToolButton>
#include <QVBoxLayout>

namespace {

// How long a passing message stays in the status bar; one to act on stays longer.
constexpr int MessageMs = 8000;
constexpr int ActionMessageMs = 10000;

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
      m_leftSplitter(new QSplitter(Qt::Vertical, this)),
      m_engineCombo(new EnginePicker(this)),
      m_offers(new Offers(this)),
      m_closeQuestion(new CloseQuestion(this, m_logs)),
      m_dialogs(new ToolDialogs(this)),
      m_editor(new LaunchEditor(m_form, m_gpus, m_caps, m_images, this))
{
    setObjectName(QStringLiteral("mainWindow"));
    setWindowTitle(tr("GPU Deck"));
    const QString appId = QStringLiteral("io.github.gpudeck.GpuDeck");
    setWindowIcon(QIcon::fromTheme(appId, Icons::get(appId)));

    // After the widgets: log tabs hold the engines' clients, so the engines go after them.
    m_registry = new EngineRegistry(hostOption, this);
    m_selection = new EngineSelection(m_registry, this);
    m_presetEngine = new PresetEngine( // first to hear of a selection
        m_selection,
        [offers = QPointer<Offers>(m_offers)](const QString &name, const QString &title,
                                              const QString &text, const QString &action,
                                              const std::function<void()> &onYes) {
            if (offers)
                offers->ask(name, title, text, action, onYes);
        },
        this);
    connect(m_selection, &EngineSelection::selected, this, &MainWindow::onEngineSelected);
    m_containers = new ContainersDock(m_selection, m_logs, this);
    m_containers->setEngineNameSource([this]() {
        return m_registry->engines().size() > 1 && engine() ? engine()->name() : QString();
    });
    connect(m_containers, &ContainersDock::holdersChanged, m_gpus, &GpuPanel::setHolders);
    connect(m_containers, &ContainersDock::claimsChanged, m_gpus, &GpuPanel::setClaims);
    connect(m_gpus, &GpuPanel::holderActivated, m_containers, &ContainersDock::selectContainer);
    // The idle alert's offer: the container is on the selected engine's host, as the GPUs shown.
    connect(m_gpus, &GpuPanel::stopRequested, this, [this](const QString &id, const QString &name) {
        DockerClient *docker = client();
        if (!docker) {
            showMessage(tr("Could not stop %1: %2").arg(name, m_engineError.message()));
            return;
        }
        showMessage(tr("Stopping %1…").arg(name));
        docker->stopContainer(id, 10, this, [this, name](const Result<void> &stopped) {
            showMessage(stopped ? tr("Stopped %1.").arg(name)
                                : tr("Could not stop %1: %2").arg(name, stopped.error().message()));
        });
    });
    connect(m_containers, &ContainersDock::launchAgainRequested, this,
            [this](const QString &id, const QString &preset) {
                // A preset that is gone or broken since: what the container says instead.
                if (preset.isEmpty() || !m_presets->select(preset))
                    m_containers->rebuildLaunch(id);
            });
    connect(m_containers, &ContainersDock::launchRebuilt, this,
            [this](const QString &name, const InspectedLaunch &launch) {
                applySpec(launch.spec);
                if (launch.notCarried.isEmpty())
                    showMessage(tr("Loaded the launch of %1, as the engine keeps it.").arg(name));
                else
                    showMessage(tr("Loaded the launch of %1; not carried over (GPU Deck cannot set "
                                   "them): %2.")
                                    .arg(name, launch.notCarried.join(QStringLiteral(", "))));
            });
    connect(m_containers, &ContainersDock::rebuildFailed, this, &MainWindow::showMessage);
    connect(m_presetEngine, &PresetEngine::message, this,
            [this](const QString &text) { statusBar()->showMessage(text, ActionMessageMs); });
    connect(m_presetEngine, &PresetEngine::nameChanged, m_command, &CommandPane::setEngine);
    connect(m_offers, &Offers::doctorWanted, this,
            [this](const QString &reason) { showDoctor(reason); });
    connect(m_offers, &Offers::pullWanted, this,
            [this](const QString &image) { showPull(image, true); });
    connect(m_dialogs, &ToolDialogs::pulled, this, [this](const QString &image) {
        showMessage(tr("Pulled %1.").arg(image));
        if (engine())
            engine()->refreshImages();
        m_form->setImage(image);
    });
    m_presets->setSpecSource([this]() { return currentSpec(); });
    m_presets->setEngineSource([this]() { return m_presetEngine->name(); });

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
        m_presetEngine->follow(preset);
    });
    connect(m_presets, &PresetBar::message, this,
            [this](const QString &text) { showMessage(text); });
    connect(m_engineList, &EngineList::engineSelected, m_selection, &EngineSelection::select);

    restoreSettings();
    updateActions();
    // Every engine is watched from here on, each on its own; the window shows one of them.
    m_registry->load();
    m_engineList->setRegistry(m_registry);
    m_engineCombo->setSelection(m_selection);
    if (Engine *engine = m_selection->restored())
        m_selection->select(engine);
    // The launches that waited for GPUs when the window closed wait again, in the same order.
    const QString back = WaitingLaunches::bringBack(m_registry,
                                                    [this](Engine *on, const LaunchSpec &spec) {
                                                        startLaunch(on, spec);
                                                    });
    if (!back.isEmpty())
        showMessage(back);
}

Engine *MainWindow::engine() const
{
    return m_selection->engine();
}

EngineRegistry *MainWindow::engineRegistry() const
{
    return m_registry;
}

QComboBox *MainWindow::engineCombo() const
{
    return m_engineCombo;
}

DockerClient *MainWindow::client() const
{
    return engine() ? engine()->client() : nullptr;
}

GpuMonitor *MainWindow::gpuMonitor() const
{
    return engine() && engine()->gpuMonitor() ? engine()->gpuMonitor() : m_monitor;
}

EngineWatch *MainWindow::engineWatch() const
{
    return engine() ? engine()->watch() : nullptr;
}

MainWindow::~MainWindow() = default;

DoctorDialog *MainWindow::doctorDialog() const
{
    return m_dialogs->doctor();
}

PullDialog *MainWindow::pullDialog() const
{
    return m_dialogs->pull();
}

QToolBar *MainWindow::mainToolBar() const
{
    return m_actions->toolBar();
}

QMessageBox *MainWindow::offer() const
{
    return m_offers->current();
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
                const QString where = m_registry->engines().size() > 1 && engine()
                                          ? engine()->name()
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
    addDockWidget(Qt::BottomDockWidgetArea, m_containers);

    m_engineStatus = new EngineStatus(statusBar());
    auto *engineLabel = new QLabel(tr("&Engine:"), this);
    engineLabel->setBuddy(m_engineCombo);
    statusBar()->addPermanentWidget(engineLabel);
    statusBar()->addPermanentWidget(m_engineCombo);
    statusBar()->setSizeGripEnabled(true);
}

void MainWindow::buildActions()
{
    m_actions = new WindowActions(this, m_logs, m_presets);
    QAction *containers = m_containers->toggleViewAction();
    containers->setObjectName(QStringLiteral("actionContainers"));
    containers->setShortcut(QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_K));
    menuBar()->addMenu(tr("&View"))->addAction(containers);
    connect(m_actions->launch(), &QAction::triggered, this, &MainWindow::launch);
    connect(m_actions->stop(), &QAction::triggered, this, &MainWindow::stopCurrent);
    connect(m_actions->refresh(), &QAction::triggered, this, &MainWindow::refreshEngine);
    connect(m_actions->pull(), &QAction::triggered, this, [this]() { showPull(m_form->image()); });
    connect(m_actions->doctor(), &QAction::triggered, this, [this]() { showDoctor(); });
}

LaunchSpec MainWindow::currentSpec(QList<ValidationIssue> *issues) const
{
    return m_editor->spec(issues);
}

void MainWindow::applySpec(const LaunchSpec &spec)
{
    m_editor->setSpec(spec);
}

void MainWindow::validateLive()
{
    QList<ValidationIssue> issues;
    const LaunchSpec spec = currentSpec(&issues);
    DockerClient *docker = client();
    issues += spec.validate(docker ? docker->apiVersion() : QString(),
                            docker ? docker->kind() : EngineKind::Docker);
    m_editor->showIssues(issues, false);
    m_command->setSpec(exportedSpec(spec), spec);
    // Podman takes GPUs only as CDI devices, whatever the driver field says.
    m_gpus->setCdiLaunch(spec.deviceDriver == QLatin1String("cdi")
                         || (docker && docker->kind() == EngineKind::Podman));
    m_presets->launchChanged(spec);
}

GpuInventory *MainWindow::hostInventory(const Engine *of) const
{
    // The engine's host's GPUs; null for remote engines other than ssh, whose GPUs cannot be read
    // from here.
    if (!of)
        of = engine();
    if (!of || !of->client())
        return nullptr;
    return of->gpuMonitor() ? of->gpuMonitor()->inventory() : nullptr;
}

LaunchSpec MainWindow::exportedSpec(const LaunchSpec &spec) const
{
    // "N free GPUs" shown as the GPUs a launch would take now, so that the command takes them too.
    if (spec.gpus.mode != GpuSelection::Mode::Free || !hostInventory())
        return spec;
    const Result<LaunchSpec> resolved = FreeGpuPicker::resolveOn(spec, client()->kind(),
                                                                 gpuMonitor()->latest(),
                                                                 client()->endpoint().gpuHostKey());
    return resolved ? resolved.value() : spec;
}

void MainWindow::launch()
{
    DockerClient *docker = client();
    if (!docker) {
        showMessage(m_engineError.message());
        return;
    }
    QList<ValidationIssue> issues;
    const LaunchSpec spec = currentSpec(&issues);
    issues += spec.validate(docker->apiVersion(), docker->kind());
    m_editor->showIssues(issues, true);
    if (!issues.isEmpty()) {
        showMessage(tr("Not launched: %1").arg(issues.first().message));
        return;
    }
    startLaunch(engine(), spec);
}

void MainWindow::startLaunch(Engine *on, const LaunchSpec &spec)
{
    // The tab names its engine when there is more than one to choose from.
    const QString where = m_registry->engines().size() > 1 ? on->name() : QString();
    LogPage *page = m_logs->launch(on->client(), spec, hostInventory(on), where);
    QList<QPointer<DockerClient>> others; // the host's other engines: their containers hold GPUs
    for (Engine *other : m_registry->onGpuHostOf(on->client()->endpoint())) {
        if (other->state() != Engine::State::Down)
            others << other->client();
    }
    page->launcher()->setHostEngines(others);
    if (ContainerDirectory *containers = on->containers())
        connect(page->launcher(), &Launcher::containerCreated, containers,
                &ContainerDirectory::markYours);
    QPointer<LogPage> guard(page);
    QElapsedTimer started;
    started.start();
    connect(page->launcher(), &Launcher::finished, this, [this, guard, started]() {
        if (!guard)
            return;
        const Launcher &launcher = *guard->launcher();
        m_offers->afterLaunch(launcher);
        if (launcher.state() == Launcher::State::Cancelled)
            return;
        const LaunchSpec &ran = launcher.spec();
        const QString name = !ran.containerName.isEmpty()        ? ran.containerName
                             : !launcher.containerId().isEmpty() ? launcher.containerId().left(12)
                                                                 : ran.image;
        // In front: the window is the active one and not minimised (the user sees the tab).
        m_gpus->alerts()->launchFinished(name, launcher.exitCode(), started.elapsed(),
                                         isActiveWindow() && !isMinimized());
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
    Engine *selected = engine();
    if (!selected)
        return;
    if (!selected->client()) {
        onEngineError(selected->error());
        return;
    }
    if (selected->state() == Engine::State::Connected)
        m_images->setLoading();
    selected->refresh(); // the engine says what it found through its signals
}

// Everything the window shows of an engine follows the selected one; what the others do reaches
// only their rows in the engine list.
void MainWindow::selectEngine(Engine *engine)
{
    m_selection->select(engine);
}

void MainWindow::onEngineSelected(Engine *engine)
{
    QObject *context = m_selection->context();
    // Until the engine's info says it is a manager (a swarm launch under way goes on in its tab).
    m_swarm->setEngine(nullptr, false);
    m_swarmBox->setVisible(false);
    m_engineList->setCurrent(engine);

    connect(engine, &Engine::stateChanged, context, [this]() { onEngineState(); });
    connect(engine, &Engine::infoChanged, context,
            [this, engine]() { onEngineInfo(engine->info()); });
    connect(engine, &Engine::imagesChanged, context, [this]() { showEngineImages(); });
    connect(engine, &Engine::imageCudaChanged, context,
            [this](const QString &id, const QString &cuda) { m_images->setImageCuda(id, cuda); });

    // The GPU panel shows the engine's host: this machine for a local engine, the host's own
    // nvidia-smi over an ssh engine's connection, and for other remote engines the reason, never
    // this machine's GPUs by mistake.
    GpuMonitor *monitor = gpuMonitor();
    if (engine->client())
        m_monitor->pause(); // this machine's GPUs are only for an engine without an address
    m_logs->setGpuMonitor(engine->client() && !engine->gpuMonitor() ? nullptr : monitor);
    if (engine->client() && !engine->gpuMonitor()) {
        m_gpus->setHistory(nullptr, nullptr);
        m_gpus->setSnapshot(engine->gpus());
        m_command->setInventory(engine->gpus().gpus);
    } else {
        m_gpus->setHistory(&monitor->history(), monitor);
        connect(monitor, &GpuMonitor::updated, context, [this](const GpuSnapshot &snapshot) {
            m_gpus->setSnapshot(snapshot);
            m_command->setInventory(snapshot.gpus);
            if (m_gpus->selection().mode == GpuSelection::Mode::Free)
                validateLive(); // the command names the GPUs that are free now
        });
        if (monitor == m_monitor && !m_monitor->isRunning())
            m_monitor->start();
        else if (monitor->latest().taken.isValid() || !monitor->latest().ok())
            m_gpus->setSnapshot(monitor->latest());
        m_command->setInventory(monitor->latest().gpus);
    }

    m_command->setEngine(m_presetEngine->name());
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
    const Engine *selected = engine();
    if (!selected || !m_images->showImagesOf(*selected))
        return;
    // A first start has no image in the form: offer one so Launch works at once.
    const QString pick = ImageList::firstChoice(selected->images());
    if (m_form->image().isEmpty() && !pick.isEmpty())
        m_form->setImage(pick);
}

void MainWindow::onEngineState()
{
    const Engine *selected = engine();
    if (!selected)
        return;
    switch (selected->state()) {
    case Engine::State::Connecting:
        m_engineKnown = false;
        m_engineError = Error();
        m_engineStatus->showConnecting(selected->url());
        break;
    case Engine::State::Connected:
        m_engineError = Error();
        if (selected->hasInfo())
            onEngineInfo(selected->info());
        else
            m_engineStatus->showConnected();
        break;
    case Engine::State::Down:
        // Log tabs stay as they are: their output is what the user still needs to read.
        onEngineError(selected->error());
        if (selected->client())
            m_engineStatus->showReconnecting();
        break;
    }
    updateActions();
}

void MainWindow::switchEngine(const Endpoint &endpoint)
{
    m_selection->selectEndpoint(endpoint);
}

DoctorDialog *MainWindow::showDoctor(const QString &reason)
{
    if (!client()) {
        showMessage(m_engineError.message());
        return nullptr;
    }
    QList<LaunchSpec> launches;
    const QList<PresetStore::Entry> entries = m_presets->store().list();
    for (const PresetStore::Entry &entry : entries) {
        if (!entry.isBroken())
            launches.append(entry.preset->spec());
    }
    launches.append(currentSpec());
    return m_dialogs->showDoctor(client(), gpuMonitor()->inventory(), launches, reason);
}

PullDialog *MainWindow::showPull(const QString &reference, bool start)
{
    if (!client()) {
        showMessage(m_engineError.message());
        return nullptr;
    }
    return m_dialogs->showPull(client(), reference, start);
}

void MainWindow::onEngineInfo(const EngineInfo &info)
{
    m_engineKnown = true;
    m_engineError = Error();
    if (!client()) {
        m_engineStatus->showAnswered();
        return;
    }
    const Endpoint &endpoint = client()->endpoint();
    // Which GPUs have a CDI device there (its spec files when local, else what it discovered).
    m_gpus->setCdiDevices(CdiInventory::forEngine(info, !endpoint.isRemote()).names(),
                          info.cdiEnabled());
    m_command->setPodman(info.isPodman(), info.serverVersion);
    m_swarm->setEngine(client(), info.isSwarmManager());
    m_swarmBox->setVisible(info.isSwarmManager());
    m_engineStatus->showInfo(endpoint, info);
    m_form->setRuntimes(info.runtimes, info.defaultRuntime);
    validateLive();
}

void MainWindow::onEngineError(const Error &error)
{
    m_engineKnown = true;
    m_engineError = error;
    m_engineStatus->showError(error);
    m_images->setError(error.message());
}

void MainWindow::updateActions()
{
    LogPage *page = m_logs->currentPage();
    const bool running = page && page->isActive();
    m_actions->stop()->setEnabled(running);
    m_form->setRunning(running);
    m_actions->launch()->setEnabled(client() != nullptr);
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
    if (!restoreState(settings.value(QStringLiteral("state")).toByteArray()))
        resizeDocks({m_containers}, {200}, Qt::Vertical); // first start: the launch area first
    const std::pair<QSplitter *, QList<int>> splitters[] = {
        {m_mainSplitter, {520, 420}},
        {m_topSplitter, {400, 640, 450}}, // the GPU table first; the engine list elides
        {m_bottomSplitter, {1000, 500}},
        {m_leftSplitter, {230, 290}}};
    for (const auto &[splitter, sizes] : splitters) {
        if (!splitter->restoreState(settings.value(splitter->objectName()).toByteArray()))
            splitter->setSizes(sizes);
    }
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
    for (const QSplitter *splitter :
         {m_mainSplitter, m_topSplitter, m_bottomSplitter, m_leftSplitter})
        settings.setValue(splitter->objectName(), splitter->saveState()); // named as its key
    settings.endGroup();
    settings.setValue(QStringLiteral("presets/current"), m_presets->currentName());
    const Preset last(QStringLiteral("last"), currentSpec());
    settings.setValue(QStringLiteral("launch/last"), last.toFileBytes());
    m_containers->rememberTabs();
    WaitingLaunches::remember(m_logs);
}

void MainWindow::closeEvent(QCloseEvent *event)
{
    if (!m_closeQuestion->allowsClose()) {
        event->ignore();
        return;
    }
    saveSettings();
    m_monitor->pause();
    if (GpuMonitor *monitor = gpuMonitor())
        monitor->pause();
    event->accept();
}

void MainWindow::showMessage(const QString &text)
{
    statusBar()->showMessage(text, MessageMs);
}
