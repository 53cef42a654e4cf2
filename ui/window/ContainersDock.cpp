#include "window/ContainersDock.h"

#include "containers/ContainerLister.h"
#include "containers/ContainerWatch.h"
#include "containers/ContainersModel.h"
#include "containers/ContainersView.h"
#include "engine/DockerClient.h"
#include "engine/EngineWatch.h"
#include "engines/EngineSelection.h"
#include "fleet/Engine.h"
#include "fleet/EngineRegistry.h"
#include "gpu/GpuMonitor.h"
#include "log/LogPage.h"
#include "log/LogView.h"
#include "terminal/ShellPage.h"

#include <QDateTime>
#include <QJsonObject>
#include <QLabel>
#include <QSettings>
#include <QUrl>

#include <utility>

ContainersDock::ContainersDock(EngineSelection *selection, LogView *logs, QWidget *parent)
    : QDockWidget(tr("Containers"), parent),
      m_selection(selection),
      m_logs(logs),
      m_placeholder(new QLabel(this))
{
    setObjectName(QStringLiteral("containersDock"));
    m_placeholder->setObjectName(QStringLiteral("containersPlaceholder"));
    m_placeholder->setAlignment(Qt::AlignCenter);
    m_placeholder->setWordWrap(true);
    m_placeholder->setEnabled(false);
    m_placeholder->setText(tr("The selected engine has no address: no containers to show."));
    setWidget(m_placeholder);
    connect(selection, &EngineSelection::selected, this, &ContainersDock::onEngineSelected);
    m_hostRefresh.setSingleShot(true);
    m_hostRefresh.setInterval(300);
    connect(&m_hostRefresh, &QTimer::timeout, this, &ContainersDock::listHostEngines);
}

bool ContainersDock::selectContainer(const QString &idOrName)
{
    if (!m_view)
        return false;
    show();
    raise();
    return m_view->selectContainer(idOrName);
}

void ContainersDock::onEngineSelected(Engine *engine)
{
    rememberTabs(); // the engine that goes
    m_engine = engine;
    m_toRestore = QSettings().value(tabsKey()).toStringList();
    if (m_view) {
        setWidget(m_placeholder);
        m_view->deleteLater();
        m_view = nullptr;
    }
    m_host = GpuSnapshot();
    delete std::exchange(m_hostCalls, nullptr);
    m_hostRefresh.stop();
    m_hostRecords.clear();
    m_hostEngines.clear();
    if (!engine || !engine->client()) {
        m_placeholder->show();
        updateHolders();
        return;
    }
    m_view = new ContainersView(engine->client(), engine->watch(), this);
    m_placeholder->hide();
    setWidget(m_view);

    connect(m_view, &ContainersView::logsRequested, this,
            [this](const QString &id, const QString &name, bool tty) {
                if (m_engine && m_engine->client())
                    m_logs->follow(m_engine->client(), id, name, tty,
                                   m_engineName ? m_engineName() : QString());
            });
    connect(m_view, &ContainersView::shellRequested, this, &ContainersDock::openShell);
    connect(m_view, &ContainersView::attachRequested, this,
            [this](const QString &id, const QString &name) {
                if (m_engine && m_engine->client())
                    m_logs->attach(m_engine->client(), id, name,
                                   m_engineName ? m_engineName() : QString());
            });
    connect(m_view, &ContainersView::launchAgainRequested, this,
            &ContainersDock::launchAgainRequested);
    ContainersModel *model = m_view->containerWatch()->model();
    connect(model, &QAbstractItemModel::modelReset, this, &ContainersDock::updateHolders);
    connect(model, &QAbstractItemModel::rowsInserted, this, &ContainersDock::updateHolders);
    connect(model, &QAbstractItemModel::rowsRemoved, this, &ContainersDock::updateHolders);
    connect(model, &QAbstractItemModel::dataChanged, this, &ContainersDock::updateHolders);
    connect(m_view->containerWatch(), &ContainerWatch::listed, this, &ContainersDock::restoreTabs);
    // Connected with the view as context: a later engine's view brings its own.
    connect(engine, &Engine::gpusChanged, m_view,
            [this](const GpuSnapshot &host) { setHost(host); });
    if (engine->gpusKnown())
        setHost(engine->gpus());
    // The host's other engines hold GPUs too: their running containers, read again on their
    // container events and when they come back.
    for (Engine *other : m_selection->registry()->onGpuHostOf(*engine->endpoint())) {
        m_hostEngines << other;
        connect(other->watch(), &EngineWatch::engineEvent, m_view, [this](const QJsonObject &event) {
            if (event.value(QStringLiteral("Type")).toString() == QLatin1String("container"))
                m_hostRefresh.start();
        });
        connect(other->watch(), &EngineWatch::connected, m_view,
                [this]() { m_hostRefresh.start(); });
    }
    listHostEngines();
    updateHolders();
}

void ContainersDock::listHostEngines()
{
    delete m_hostCalls;
    m_hostCalls = new QObject(this);
    QList<QPointer<DockerClient>> clients;
    for (const QPointer<Engine> &other : std::as_const(m_hostEngines)) {
        if (other && other->client())
            clients << other->client();
    }
    // As a launch's pick sees them: an engine that cannot be read holds nothing until it can.
    ContainerLister::onHost(nullptr, clients, m_hostCalls,
                            [this](const Result<QList<ContainerRecord>> &live) {
                                m_hostRecords = live ? live.value() : QList<ContainerRecord>();
                                updateHolders();
                            });
}

void ContainersDock::openShell(const QString &id, const QString &name, const QStringList &command)
{
    if (!m_engine || !m_engine->client())
        return;
    // A window of its own that closes with the main window; each Shell opens another.
    auto *shell = new ShellPage(m_engine->client(), id, name, this, command);
    shell->setWindowFlag(Qt::Window);
    shell->setAttribute(Qt::WA_DeleteOnClose);
    shell->resize(shell->sizeHint());
    shell->show();
    shell->start();
}

void ContainersDock::setHost(const GpuSnapshot &host)
{
    m_host = host;
    if (m_view) {
        m_view->setHostGpus(host);
        if (m_engine && m_engine->gpuMonitor())
            m_view->setGpuHistory(m_engine->gpuMonitor()->history());
    }
    updateHolders();
}

void ContainersDock::restoreTabs()
{
    if (!m_view || !m_engine || !m_engine->client())
        return;
    const QList<ContainerRecord> &records = m_view->containerWatch()->model()->records();
    for (const ContainerRecord &record : records) {
        // A tab that still follows it stays the one; one that ended (the engine restarted) keeps
        // what it had, and a new tab follows on.
        // Only tabs that were open: another client's container, or one of GPU Deck's whose tab
        // was closed, gets none of its own.
        const LogPage *page = m_logs->pageOf(record.id);
        const bool remembered = m_toRestore.removeAll(record.id) > 0;
        if (!record.isRunning() || (page && page->isActive()) || (!page && !remembered))
            continue;
        m_logs->follow(m_engine->client(), record.id, record.name, record.tty,
                       m_engineName ? m_engineName() : QString());
    }
    m_toRestore.clear(); // the rest no longer run
}

void ContainersDock::rebuildLaunch(const QString &id)
{
    if (!m_view || !m_engine || !m_engine->client())
        return;
    QPointer<DockerClient> client = m_engine->client();
    client->inspectContainer(id, m_view, [this, client](const Result<QJsonObject> &container) {
        if (!container) {
            emit rebuildFailed(container.error().message());
            return;
        }
        const QJsonObject &inspect = container.value();
        const QString name = inspect.value(QStringLiteral("Name")).toString().mid(1);
        const QString image = inspect.value(QStringLiteral("Config"))
                                  .toObject()
                                  .value(QStringLiteral("Image"))
                                  .toString();
        if (!client || !m_view)
            return;
        // Without the image (removed since), the container's own settings are kept whole.
        client->inspectImage(
            image, m_view, [this, name, inspect](const Result<QJsonObject> &imageInspect) {
                emit launchRebuilt(name,
                                   InspectedLaunch::fromInspect(inspect, imageInspect
                                                                             ? imageInspect.value()
                                                                             : QJsonObject()));
            });
    });
}

QString ContainersDock::tabsKey() const
{
    const QString url = m_engine ? m_engine->url() : QString();
    return QStringLiteral("containers/tabs/") + QString::fromLatin1(QUrl::toPercentEncoding(url));
}

void ContainersDock::rememberTabs() const
{
    if (!m_engine)
        return;
    QStringList ids = m_toRestore;
    if (m_view) {
        const QList<ContainerRecord> &records = m_view->containerWatch()->model()->records();
        for (const ContainerRecord &record : records) {
            const LogPage *page = m_logs->pageOf(record.id);
            if (record.isRunning() && page && page->isActive() && !ids.contains(record.id))
                ids << record.id;
        }
    }
    QSettings settings;
    if (ids.isEmpty())
        settings.remove(tabsKey());
    else
        settings.setValue(tabsKey(), ids);
}

void ContainersDock::updateHolders()
{
    QHash<QString, QStringList> holders;
    QList<GpuLedger::Claim> claims;
    const GpuSnapshot *host = m_host.gpus.isEmpty() ? nullptr : &m_host;
    // A container of another engine of the host is named with its engine's.
    const auto add = [&](ContainerRecord record, const QString &engine) {
        if (!engine.isEmpty())
            record.name += QStringLiteral(" @ ") + engine;
        if (record.state == QLatin1String("created")) {
            claims << GpuLedger::claimOf(record, m_host);
            return;
        }
        if (!record.isRunning())
            return;
        for (const ContainerGpus::Gpu &gpu : record.gpus.held(host)) {
            if (gpu.uuid.isEmpty() && gpu.index < 0)
                continue;
            holders[gpu.uuid.isEmpty() ? QString::number(gpu.index) : gpu.uuid].append(record.name);
        }
    };
    if (m_view) {
        for (const ContainerRecord &record : m_view->containerWatch()->model()->records())
            add(record, {});
    }
    for (const ContainerRecord &record : std::as_const(m_hostRecords)) {
        QString engine = record.engine;
        for (const QPointer<Engine> &other : std::as_const(m_hostEngines)) {
            if (other && other->url() == record.engine)
                engine = other->name();
        }
        add(record, engine);
    }
    if (!claims.isEmpty() || std::exchange(m_hadClaims, false)) {
        const qint64 offset = m_engine && m_engine->client()
                                  ? QDateTime::currentDateTimeUtc().msecsTo(
                                      m_engine->client()->engineNow())
                                  : 0;
        emit claimsChanged(claims, offset);
    }
    m_hadClaims = !claims.isEmpty();
    if (holders == m_holders)
        return;
    m_holders = holders;
    emit holdersChanged(m_holders);
}
