#include "MainWindow.h"

#include <algorithm>

#include "CapabilityBox.h"
#include "CommandPane.h"
#include "DoctorDialog.h"
#include "GpuPanel.h"
#include "Icons.h"
#include "ImageList.h"
#include "LaunchForm.h"
#include "LogPage.h"
#include "LogView.h"
#include "PresetBar.h"
#include "PullDialog.h"
#include "engine/DockerClient.h"
#include "engine/Endpoint.h"
#include "engine/EngineWatch.h"
#include "gpu/GpuInventory.h"
#include "gpu/GpuMonitor.h"
#include "launch/CudaRequirement.h"
#include "launch/FreeGpuPicker.h"
#include "transport/RemoteShell.h"
#include "engine/ContainerDirectory.h"
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
      m_engineCombo(new QComboBox(this))
{
    setObjectName(QStringLiteral("mainWindow"));
    setWindowTitle(tr("GPU Deck"));
    const QString appId = QStringLiteral("io.github.gpudeck.GpuDeck");
    setWindowIcon(QIcon::fromTheme(appId, Icons::get(appId)));

    m_hostOption = hostOption;
    const Result<Endpoint> endpoint = EndpointResolver::resolve(hostOption);
    if (endpoint)
        m_client = new DockerClient(endpoint.value(), this);
    else
        m_engineError = endpoint.error();
    m_imagesTimer.setSingleShot(true);
    m_imagesTimer.setInterval(300);
    connect(&m_imagesTimer, &QTimer::timeout, this, &MainWindow::refreshImages);
    m_presets->setSpecSource([this]() { return currentSpec(); });
    m_presets->setEngineSource([this]() { return presetEngine(); });

    buildLayout();
    buildActions();

    connect(m_monitor, &GpuMonitor::updated, m_gpus, &GpuPanel::setSnapshot);
    connect(m_monitor, &GpuMonitor::updated, this, [this]() {
        if (m_gpus->selection().mode == GpuSelection::Mode::Free)
            validateLive(); // the command names the GPUs that are free now
    });
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
    connect(m_presets, &PresetBar::message, this, [this](const QString &text) {
        statusBar()->showMessage(text, 8000);
    });
    connect(m_engineCombo, &QComboBox::activated, this, &MainWindow::onEnginePicked);

    restoreSettings();
    updateActions();
    if (!m_client)
        m_monitor->start(); // this machine's GPUs; with an engine, followEngineHost() decides
    fillEnginePicker();
    if (m_client)
        watchEngine();
    else
        onEngineError(m_engineError);
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

    m_topSplitter->setObjectName(QStringLiteral("topSplitter"));
    m_topSplitter->addWidget(titled(tr("Images"), m_images, this));
    m_topSplitter->addWidget(gpuColumn);
    m_topSplitter->addWidget(titled(tr("Launch"), m_form, this));
    m_topSplitter->setStretchFactor(0, 3);
    m_topSplitter->setStretchFactor(1, 5);
    m_topSplitter->setStretchFactor(2, 4);
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
    m_launchAction->setShortcuts({QKeySequence(Qt::CTRL | Qt::Key_Return),
                                  QKeySequence(Qt::CTRL | Qt::Key_Enter)});
    m_launchAction->setToolTip(tr("Launch the container (Ctrl+Return)"));
    connect(m_launchAction, &QAction::triggered, this, &MainWindow::launch);

    m_stopAction = new QAction(Icons::get(QStringLiteral("stop")), tr("&Stop"), this);
    m_stopAction->setObjectName(QStringLiteral("stopAction"));
    m_stopAction->setShortcut(QKeySequence(Qt::Key_Escape));
    m_stopAction->setToolTip(tr("Stop the container of the log in front (Esc)"));
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
    issues += spec.validate(m_client ? m_client->apiVersion() : QString(),
                            m_client ? m_client->kind() : EngineKind::Docker);
    showIssues(issues, false);
    m_command->setSpec(exportedSpec(spec));
    m_presets->launchChanged(spec);
}

GpuInventory *MainWindow::hostInventory() const
{
    // The monitor reads the engine's host, except for remote engines other than ssh, whose GPUs
    // cannot be read from here (followEngineHost).
    if (!m_client || (m_client->endpoint().isRemote() && m_client->endpoint().kind != Endpoint::Kind::Ssh))
        return nullptr;
    return m_monitor->inventory();
}

LaunchSpec MainWindow::exportedSpec(const LaunchSpec &spec) const
{
    // "N free GPUs" shown as the GPUs a launch would take now, so that the command takes them too.
    if (spec.gpus.mode != GpuSelection::Mode::Free || !hostInventory())
        return spec;
    const Result<LaunchSpec> resolved = FreeGpuPicker::resolve(
        spec.resolvedFor(m_client->kind()), m_monitor->latest(), FreeGpuPicker::reserved(m_client->endpoint().url));
    return resolved ? resolved.value() : spec;
}

void MainWindow::launch()
{
    if (!m_client) {
        statusBar()->showMessage(m_engineError.message(), 8000);
        return;
    }
    QList<ValidationIssue> issues;
    const LaunchSpec spec = currentSpec(&issues);
    issues += spec.validate(m_client->apiVersion(), m_client->kind());
    showIssues(issues, true);
    if (!issues.isEmpty()) {
        statusBar()->showMessage(tr("Not launched: %1").arg(issues.first().message), 8000);
        return;
    }
    LogPage *page = m_logs->launch(m_client, spec, hostInventory());
    if (m_containers)
        connect(page->launcher(), &Launcher::containerCreated, m_containers, &ContainerDirectory::markYours);
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
    if (!m_client) {
        onEngineError(m_engineError);
        return;
    }
    if (m_engineError.isError()) {
        m_watch->start(); // check now; connected() refreshes once the engine answers
        return;
    }
    m_engineStatus->setText(tr("Connecting to %1…").arg(m_client->endpoint().url));
    m_images->setLoading();
    m_client->info(this, [this](const Result<EngineInfo> &info) {
        if (!info) {
            onEngineError(info.error());
            return;
        }
        onEngineInfo(info.value());
        refreshImages();
    });
}

void MainWindow::refreshImages()
{
    if (!m_client || m_engineError.isError())
        return;
    m_client->images(this, [this](const Result<QList<ImageSummary>> &images) {
        if (images) {
            m_images->setImages(images.value());
            // The CUDA each image needs is in its environment, which only an inspect shows.
            for (const ImageSummary &image : images.value()) {
                m_client->inspectImage(image.id, m_images, [this, id = image.id](const Result<QJsonObject> &inspected) {
                    if (inspected)
                        m_images->setImageCuda(id, CudaRequirement::fromEnv(CudaRequirement::imageEnv(inspected.value())).neededCuda());
                });
            }
            // A first start has no image in the form: offer one so Launch works at once,
            // a GPU-ready one when there is one.
            if (m_form->image().isEmpty() && !images.value().isEmpty()) {
                const auto ready = std::find_if(images.value().cbegin(), images.value().cend(),
                                                [](const ImageSummary &image) { return image.looksGpuReady(); });
                const ImageSummary &pick = ready != images.value().cend() ? *ready : images.value().first();
                m_form->setImage(pick.displayName());
            }
        } else
            m_images->setError(images.error().message());
    });
}

// The GPU panel shows the engine's host: this machine for a local engine, the host's own
// nvidia-smi over the engine's ssh connection for an ssh engine (at a pace fit for a remote
// host), and for other remote engines the reason, never this machine's GPUs by mistake.
void MainWindow::followEngineHost()
{
    GpuInventory *inventory = m_monitor->inventory();
    const Endpoint *endpoint = m_client ? &m_client->endpoint() : nullptr;
    if (!endpoint || !endpoint->isRemote()) {
        inventory->setRemote(nullptr);
        m_monitor->setInterval(GpuMonitor::DefaultIntervalMs);
        m_monitor->pause();
        m_monitor->start(); // a read at once, of the new host
        return;
    }
    if (endpoint->kind == Endpoint::Kind::Ssh) {
        // A child of the client: it goes with the engine's ssh connection.
        inventory->setRemote(new RemoteShell(m_client->sshTunnel(), m_client));
        m_monitor->setInterval(kRemoteGpuIntervalMs);
        m_monitor->pause();
        m_monitor->start();
        return;
    }
    m_monitor->pause();
    GpuSnapshot unreadable;
    unreadable.error = GpuInventory::unreadableHost(endpoint->host);
    m_gpus->setSnapshot(unreadable);
}

void MainWindow::watchEngine()
{
    followEngineHost();
    m_command->setEngine(presetEngine());
    delete m_watch;
    m_watch = new EngineWatch(m_client, this);
    // The engine's containers, kept current from its events: the GPU panel names them.
    delete m_containers;
    m_containers = new ContainerDirectory(m_client, m_client);
    m_monitor->setContainerDirectory(m_containers);
    connect(m_watch, &EngineWatch::connected, m_containers, &ContainerDirectory::clear);
    connect(m_watch, &EngineWatch::event, m_containers, &ContainerDirectory::onEvent);
    connect(m_watch, &EngineWatch::connected, this, &MainWindow::onEngineConnected);
    connect(m_watch, &EngineWatch::disconnected, this, &MainWindow::onEngineDisconnected);
    connect(m_watch, &EngineWatch::event, this, [this](const QJsonObject &event) {
        if (event.value(QStringLiteral("Type")).toString() == QLatin1String("image"))
            m_imagesTimer.start();
    });
    m_watch->start();
}

void MainWindow::onEngineConnected()
{
    m_engineError = Error();
    setEngineState(tr("Connected"), true);
    refreshEngine();
    updateActions();
}

void MainWindow::onEngineDisconnected(const Error &error)
{
    // Log tabs stay as they are: their output is what the user still needs to read.
    onEngineError(error);
    m_engineStatus->setToolTip(tr("Reconnecting on its own when the engine is back."));
    updateActions();
}

void MainWindow::setEngineState(const QString &text, bool ok)
{
    m_engineState->setText(text);
    m_engineState->setStyleSheet(ok ? QStringLiteral("font-weight: bold;")
                                    : QStringLiteral("font-weight: bold; color: #c01c28;"));
}

void MainWindow::fillEnginePicker()
{
    const QSignalBlocker block(m_engineCombo);
    m_engineCombo->clear();
    const QString current = m_client ? m_client->endpoint().url : QString();
    int currentIndex = -1;
    if (m_client && !m_client->endpoint().source.startsWith(QLatin1String("context "))) {
        // The status line shows the URL already; the picker names where it came from.
        m_engineCombo->addItem(m_client->endpoint().source, current);
        m_engineCombo->setItemData(0, current, Qt::ToolTipRole);
        currentIndex = 0;
    }
    const QList<DockerContext> contexts = EndpointResolver::contexts();
    for (const DockerContext &context : contexts) {
        m_engineCombo->addItem(context.current ? tr("context %1 (current)").arg(context.name)
                                               : tr("context %1").arg(context.name),
                               context.host);
        const int index = m_engineCombo->count() - 1;
        m_engineCombo->setItemData(index, context.name, Qt::UserRole + 1);
        m_engineCombo->setItemData(index, context.host, Qt::ToolTipRole);
        if (currentIndex < 0 && context.host == current)
            currentIndex = index;
    }
    m_engineCombo->setCurrentIndex(currentIndex);
    m_engineCombo->setVisible(m_engineCombo->count() > 0);
}

void MainWindow::onEnginePicked(int index)
{
    const QString url = m_engineCombo->itemData(index).toString();
    if (m_client && url == m_client->endpoint().url)
        return;
    const QString name = m_engineCombo->itemData(index, Qt::UserRole + 1).toString();
    // A context brings its own TLS material; an address alone takes TLS from the environment.
    const Result<Endpoint> endpoint =
        name.isEmpty() || name == QLatin1String("default")
            ? EndpointResolver::fromUrl(url, name.isEmpty() ? QStringLiteral("--host") : QStringLiteral("context default"))
            : EndpointResolver::fromContext(name, QStringLiteral("context %1").arg(name));
    if (!endpoint) {
        statusBar()->showMessage(endpoint.error().message(), 10000);
        fillEnginePicker();
        return;
    }
    switchEngine(endpoint.value());
}

void MainWindow::switchEngine(const Endpoint &endpoint)
{
    // The old client stays (a child of the window) while log tabs that run on it need it.
    delete m_watch;
    m_watch = nullptr;
    m_client = new DockerClient(endpoint, this);
    m_engineError = Error();
    m_engineKnown = false;
    m_engineStatus->setText(tr("Connecting to %1…").arg(endpoint.url));
    setEngineState(tr("Connecting"), true);
    m_images->setLoading();
    fillEnginePicker();
    watchEngine();
    updateActions();
}

DoctorDialog *MainWindow::showDoctor(const QString &reason)
{
    if (!m_client) {
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
    m_doctorDialog = new DoctorDialog(m_client, m_monitor->inventory(), presets, this);
    m_doctorDialog->setReason(reason);
    m_doctorDialog->show();
    m_doctorDialog->run();
    return m_doctorDialog;
}

PullDialog *MainWindow::showPull(const QString &reference, bool start)
{
    if (!m_client) {
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
    m_pullDialog = new PullDialog(m_client, reference, this);
    connect(m_pullDialog, &PullDialog::pulled, this, [this](const QString &image) {
        statusBar()->showMessage(tr("Pulled %1.").arg(image), 8000);
        refreshImages();
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
    } else if (error.why().contains(QLatin1String("no such image"), Qt::CaseInsensitive)) {
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
    if (!m_client)
        return {};
    const Endpoint &endpoint = m_client->endpoint();
    if (endpoint.source.startsWith(QLatin1String("context ")) && endpoint.source != QLatin1String("context default"))
        return endpoint.source.mid(8);
    if (endpoint.source == QLatin1String("--host") || endpoint.source == QLatin1String("the preset's engine"))
        return endpoint.url;
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
    if (m_client && m_client->endpoint().url == target.url)
        return;
    const QString key = QStringLiteral("engines/trusted");
    if (QSettings().value(key).toStringList().contains(target.url)) {
        switchEngine(target);
        return;
    }
    const QString where = target.isRemote() ? tr("on the host %1").arg(target.host) : tr("on this machine");
    ask(QStringLiteral("engineOffer"), tr("Switch engine?"),
        tr("Preset \"%1\" runs on the engine at %2 (%3), %4. Whoever can use an engine is root on its "
           "host. Switch to it?")
            .arg(preset.name(), target.url, target.source, where),
        tr("&Switch"), [this, target, key]() {
            QSettings settings;
            QStringList trusted = settings.value(key).toStringList();
            trusted.append(target.url);
            settings.setValue(key, trusted);
            switchEngine(target);
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
    const Endpoint &endpoint = m_client->endpoint();
    // Plain tcp:// is allowed (the docker CLI allows it) but never quietly.
    setEngineState(endpoint.isInsecure() ? tr("Connected, not secure") : tr("Connected"), !endpoint.isInsecure());
    m_engineStatus->setStyleSheet({});
    QString tip = tr("Engine at %1 (%2)\n%3, kernel %4\n%5 CPUs, %6 memory\nData root %7\n"
                     "Default runtime %8; engine API up to %9")
                      .arg(endpoint.url, endpoint.source, info.operatingSystem, info.kernelVersion,
                           QString::number(info.cpus), QLocale().formattedDataSize(info.memoryBytes),
                           info.rootDir, info.defaultRuntime, info.engineApiVersion);
    if (endpoint.isInsecure()) {
        tip.prepend(endpoint.insecurityWarning() + QStringLiteral(".\n\n"));
        m_engineState->setToolTip(endpoint.insecurityWarning() + QLatin1Char('.'));
    } else {
        m_engineState->setToolTip({});
    }
    m_engineStatus->setToolTip(tip);
    m_engineStatus->setText(tr("Engine %1 (%2) — %3, API %4 — runtimes: %5")
                                .arg(m_client->endpoint().url, m_client->endpoint().source,
                                     info.productName(), info.apiVersion,
                                     info.runtimes.join(QStringLiteral(", "))));
    m_form->setRuntimes(info.runtimes, info.defaultRuntime);
    validateLive();
}

void MainWindow::onEngineError(const Error &error)
{
    m_engineKnown = true;
    m_engineError = error;
    setEngineState(tr("Disconnected"), false);
    m_engineIcon->setPixmap(Icons::get(QStringLiteral("engine-error")).pixmap(16, 16));
    m_engineStatus->setStyleSheet(QStringLiteral("color: #c01c28;"));
    m_engineStatus->setText(error.message());
    m_images->setError(error.message());
}

void MainWindow::updateActions()
{
    LogPage *page = m_logs->currentPage();
    const bool running = page && page->isActive();
    m_stopAction->setEnabled(running);
    m_form->setRunning(running);
    m_launchAction->setEnabled(m_client != nullptr);
    m_form->setLaunchEnabled(m_client != nullptr, m_engineError.message());
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
        m_topSplitter->setSizes({330, 700, 470});
    if (!m_bottomSplitter->restoreState(settings.value(QStringLiteral("bottomSplitter")).toByteArray()))
        m_bottomSplitter->setSizes({1000, 500});
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
                                tr("%n container(s) launched from this window still run.", nullptr, running),
                                QMessageBox::NoButton, this);
    box->setObjectName(QStringLiteral("closeQuestion"));
    box->setInformativeText(tr("Stop them before quitting, or leave them running on the engine "
                               "(docker ps lists them; their output stays in docker logs)."));
    QPushButton *stop = box->addButton(tr("&Stop Them and Quit"), QMessageBox::AcceptRole);
    stop->setObjectName(QStringLiteral("closeStop"));
    QPushButton *leave = box->addButton(tr("&Leave Running and Quit"), QMessageBox::DestructiveRole);
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
