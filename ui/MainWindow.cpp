#include "MainWindow.h"

#include "CapabilityBox.h"
#include "GpuPanel.h"
#include "Icons.h"
#include "ImageList.h"
#include "LaunchForm.h"
#include "LogPage.h"
#include "LogView.h"
#include "engine/DockerClient.h"
#include "engine/Endpoint.h"
#include "gpu/GpuMonitor.h"
#include "presets/Preset.h"

#include <QAction>
#include <QApplication>
#include <QCloseEvent>
#include <QElapsedTimer>
#include <QGroupBox>
#include <QJsonDocument>
#include <QLabel>
#include <QMenuBar>
#include <QScreen>
#include <QSettings>
#include <QSplitter>
#include <QStatusBar>
#include <QTimer>
#include <QToolBar>
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
      m_mainSplitter(new QSplitter(Qt::Vertical, this)),
      m_topSplitter(new QSplitter(Qt::Horizontal, this)),
      m_engineStatus(new QLabel(this)),
      m_engineIcon(new QLabel(this))
{
    setObjectName(QStringLiteral("mainWindow"));
    setWindowTitle(tr("GPU Deck"));
    setWindowIcon(Icons::get(QStringLiteral("gpudeck")));

    const Result<Endpoint> endpoint = EndpointResolver::resolve(hostOption);
    if (endpoint)
        m_client = new DockerClient(endpoint.value(), this);
    else
        m_engineError = endpoint.error();

    buildLayout();
    buildActions();

    connect(m_monitor, &GpuMonitor::updated, m_gpus, &GpuPanel::setSnapshot);
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
    connect(m_caps, &CapabilityBox::changed, this, &MainWindow::validateLive);
    connect(m_logs, &LogView::currentStateChanged, this, &MainWindow::updateActions);

    restoreSettings();
    updateActions();
    m_monitor->start();
    if (m_client)
        refreshEngine();
    else
        onEngineError(m_engineError);
}

MainWindow::~MainWindow() = default;

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

    m_mainSplitter->setObjectName(QStringLiteral("mainSplitter"));
    m_mainSplitter->addWidget(m_topSplitter);
    m_mainSplitter->addWidget(m_logs);
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
    statusBar()->addWidget(m_engineIcon);
    statusBar()->addWidget(m_engineStatus, 1);
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

    auto *quit = new QAction(tr("&Quit"), this);
    quit->setShortcut(QKeySequence::Quit);
    connect(quit, &QAction::triggered, this, &QWidget::close);

    QMenu *container = menuBar()->addMenu(tr("&Container"));
    container->addAction(m_launchAction);
    container->addAction(m_stopAction);
    container->addSeparator();
    container->addAction(m_refreshAction);
    container->addSeparator();
    container->addAction(quit);
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
}

LaunchSpec MainWindow::currentSpec(QList<ValidationIssue> *issues) const
{
    LaunchSpec spec;
    QList<ValidationIssue> local;
    m_form->fillSpec(&spec, issues ? issues : &local);
    spec.gpus = m_gpus->selection();
    spec.capabilities = m_caps->capabilities();
    return spec;
}

void MainWindow::applySpec(const LaunchSpec &spec)
{
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
    issues += spec.validate(m_client ? m_client->apiVersion() : QString());
    showIssues(issues, false);
}

void MainWindow::launch()
{
    if (!m_client) {
        statusBar()->showMessage(m_engineError.message(), 8000);
        return;
    }
    QList<ValidationIssue> issues;
    const LaunchSpec spec = currentSpec(&issues);
    issues += spec.validate(m_client->apiVersion());
    showIssues(issues, true);
    if (!issues.isEmpty()) {
        statusBar()->showMessage(tr("Not launched: %1").arg(issues.first().message), 8000);
        return;
    }
    m_logs->launch(m_client, spec);
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
    if (m_engineError.isError())
        m_client->reset(); // negotiate again: the engine may be back
    m_engineStatus->setText(tr("Connecting to %1…").arg(m_client->endpoint().url));
    m_images->setLoading();
    m_client->info(this, [this](const Result<EngineInfo> &info) {
        if (!info) {
            onEngineError(info.error());
            return;
        }
        onEngineInfo(info.value());
        m_client->images(this, [this](const Result<QList<ImageSummary>> &images) {
            if (images)
                m_images->setImages(images.value());
            else
                m_images->setError(images.error().message());
        });
    });
}

void MainWindow::onEngineInfo(const EngineInfo &info)
{
    m_engineKnown = true;
    m_engineError = Error();
    m_engineIcon->setPixmap(Icons::get(QStringLiteral("engine-ok")).pixmap(16, 16));
    m_engineStatus->setStyleSheet({});
    m_engineStatus->setText(tr("Engine %1 (%2) — Docker %3, API %4 — runtimes: %5")
                                .arg(m_client->endpoint().url, m_client->endpoint().source,
                                     info.serverVersion, info.apiVersion,
                                     info.runtimes.join(QStringLiteral(", "))));
    m_form->setRuntimes(info.runtimes, info.defaultRuntime);
    validateLive();
}

void MainWindow::onEngineError(const Error &error)
{
    m_engineKnown = true;
    m_engineError = error;
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
        m_topSplitter->setSizes({360, 640, 500});
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
}

void MainWindow::saveSettings() const
{
    QSettings settings;
    settings.beginGroup(QStringLiteral("window"));
    settings.setValue(QStringLiteral("geometry"), saveGeometry());
    settings.setValue(QStringLiteral("state"), saveState());
    settings.setValue(QStringLiteral("mainSplitter"), m_mainSplitter->saveState());
    settings.setValue(QStringLiteral("topSplitter"), m_topSplitter->saveState());
    settings.endGroup();
    const Preset last(QStringLiteral("last"), currentSpec());
    settings.setValue(QStringLiteral("launch/last"), last.toFileBytes());
}

void MainWindow::closeEvent(QCloseEvent *event)
{
    if (!m_closing) {
        saveSettings();
        if (m_logs->hasActive()) {
            // Stop what still runs before going, so nothing is left running unseen.
            m_closing = true;
            m_logs->stopAll();
            hide();
            auto *poll = new QTimer(this);
            auto *clock = new QElapsedTimer;
            clock->start();
            connect(poll, &QTimer::timeout, this, [this, poll, clock]() {
                if (!m_logs->hasActive() || clock->elapsed() > 15000) {
                    poll->stop();
                    delete clock;
                    close();
                }
            });
            poll->start(100);
            event->ignore();
            return;
        }
    }
    m_monitor->pause();
    event->accept();
}
