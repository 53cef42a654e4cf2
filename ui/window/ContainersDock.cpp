#include "window/ContainersDock.h"

#include "containers/ContainerWatch.h"
#include "containers/ContainersModel.h"
#include "containers/ContainersView.h"
#include "engines/EngineSelection.h"
#include "fleet/Engine.h"
#include "log/LogPage.h"
#include "log/LogView.h"

#include <QLabel>

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
    m_engine = engine;
    if (m_view) {
        setWidget(m_placeholder);
        m_view->deleteLater();
        m_view = nullptr;
    }
    m_host = GpuSnapshot();
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
    updateHolders();
}

void ContainersDock::setHost(const GpuSnapshot &host)
{
    m_host = host;
    if (m_view)
        m_view->setHostGpus(host);
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
        const LogPage *page = m_logs->pageOf(record.id);
        if (!record.isRunning() || record.preset.isEmpty() || (page && page->isActive()))
            continue;
        m_logs->follow(m_engine->client(), record.id, record.name, record.tty,
                       m_engineName ? m_engineName() : QString());
    }
}

void ContainersDock::updateHolders()
{
    QHash<QString, QStringList> holders;
    if (m_view) {
        const QList<ContainerRecord> &records = m_view->containerWatch()->model()->records();
        const GpuSnapshot *host = m_host.gpus.isEmpty() ? nullptr : &m_host;
        for (const ContainerRecord &record : records) {
            if (!record.isRunning())
                continue;
            const QList<ContainerGpus::Gpu> held = record.gpus.held(host);
            for (const ContainerGpus::Gpu &gpu : held) {
                const QString key = gpu.uuid.isEmpty() ? QString::number(gpu.index) : gpu.uuid;
                if (gpu.uuid.isEmpty() && gpu.index < 0)
                    continue;
                holders[key].append(record.name);
            }
        }
    }
    QList<GpuLedger::Claim> claims;
    if (m_view) {
        for (const ContainerRecord &record : m_view->containerWatch()->model()->records()) {
            if (record.state == QLatin1String("created"))
                claims << GpuLedger::claimOf(record, m_host);
        }
    }
    if (!claims.isEmpty() || std::exchange(m_hadClaims, false))
        emit claimsChanged(claims);
    m_hadClaims = !claims.isEmpty();
    if (holders == m_holders)
        return;
    m_holders = holders;
    emit holdersChanged(m_holders);
}
