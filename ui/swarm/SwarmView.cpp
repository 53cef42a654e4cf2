#include "swarm/SwarmView.h"

#include "engine/DockerClient.h"
#include "launch/SwarmService.h"
#include "widgets/StatusColors.h"

#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QPushButton>
#include <QSpinBox>
#include <QTreeWidget>
#include <QVBoxLayout>

namespace {

enum Column { NodeColumn, StateColumn, GpuColumn };

QString counted(int n, const QString &one, const QString &many)
{
    return n == 1 ? one : many.arg(n);
}

} // namespace

SwarmView::SwarmView(QWidget *parent)
    : QWidget(parent),
      m_summary(new QLabel(this)),
      m_refresh(new QPushButton(tr("Refresh"), this)),
      m_tree(new QTreeWidget(this)),
      m_replicas(new QSpinBox(this)),
      m_launch(new QPushButton(tr("Launch on Swarm"), this)),
      m_status(new QLabel(this))
{
    setObjectName(QStringLiteral("swarmView"));
    m_summary->setObjectName(QStringLiteral("swarmSummary"));
    m_summary->setWordWrap(true);
    m_refresh->setObjectName(QStringLiteral("swarmRefresh"));
    m_refresh->setAutoDefault(false);
    m_tree->setObjectName(QStringLiteral("swarmNodes"));
    m_tree->setAccessibleName(tr("Swarm nodes"));
    m_tree->setHeaderLabels({tr("Node"), tr("State"), tr("GPUs")});
    m_tree->setRootIsDecorated(true);
    m_tree->setUniformRowHeights(true);
    m_tree->setTextElideMode(Qt::ElideMiddle);
    m_tree->header()->setStretchLastSection(true);
    m_tree->header()->setSectionResizeMode(NodeColumn, QHeaderView::ResizeToContents);
    m_tree->header()->setSectionResizeMode(StateColumn, QHeaderView::ResizeToContents);
    m_tree->setMinimumHeight(m_tree->fontMetrics().height() * 7);
    m_replicas->setObjectName(QStringLiteral("swarmReplicas"));
    m_replicas->setRange(1, 64);
    m_replicas->setPrefix(tr("Replicas: "));
    m_replicas->setAccessibleName(tr("Replicas"));
    m_launch->setObjectName(QStringLiteral("swarmLaunch"));
    m_launch->setToolTip(
        tr("Run the launch above as a swarm service: each task reserves its GPU count as "
           "NVIDIA-GPU resources and the swarm picks the nodes; its output comes in a tab "
           "below"));
    m_launch->setAutoDefault(false);
    m_status->setObjectName(QStringLiteral("swarmStatus"));
    m_status->setWordWrap(true);
    m_status->setTextInteractionFlags(Qt::TextSelectableByMouse);

    auto *top = new QHBoxLayout;
    top->addWidget(m_summary, 1);
    top->addWidget(m_refresh);
    auto *actions = new QHBoxLayout;
    actions->addWidget(m_replicas);
    actions->addStretch(1);
    actions->addWidget(m_launch);
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addLayout(top);
    layout->addWidget(m_tree, 2);
    layout->addLayout(actions);
    layout->addWidget(m_status);

    m_poll.setInterval(kRefreshMs);
    connect(&m_poll, &QTimer::timeout, this, &SwarmView::refresh);
    connect(m_refresh, &QPushButton::clicked, this, &SwarmView::refresh);
    connect(m_launch, &QPushButton::clicked, this, &SwarmView::launch);
    setEngine(nullptr, false);
}

SwarmView::~SwarmView() = default;

void SwarmView::setEngine(DockerClient *client, bool manager)
{
    const bool same = client == m_client && manager == m_manager;
    m_client = client;
    m_manager = client && manager;
    if (same)
        return;
    delete m_calls; // an answer of the engine left behind reaches nobody
    m_calls = nullptr;
    m_nodes.clear();
    m_tree->clear();
    m_launch->setEnabled(m_manager);
    m_status->clear();
    if (!m_manager) {
        m_poll.stop();
        m_summary->setText(tr("This engine is not a swarm manager."));
        return;
    }
    m_summary->setText(tr("Reading the swarm…"));
    m_poll.start();
    refresh();
}

void SwarmView::refresh()
{
    if (!m_manager || !m_client || m_calls)
        return; // one read at a time
    m_calls = new QObject(this);
    SwarmNodes::read(m_client, m_calls, [this](const Result<QList<SwarmNode>> &nodes) {
        m_calls->deleteLater();
        m_calls = nullptr;
        showNodes(nodes);
    });
}

void SwarmView::showNodes(const Result<QList<SwarmNode>> &nodes)
{
    if (!nodes) {
        m_summary->setText(nodes.error().message());
        m_summary->setStyleSheet(StatusColors::styleSheet(StatusColors::Tone::Error, m_summary));
        return;
    }
    m_summary->setStyleSheet({});
    m_nodes = nodes.value();
    int gpus = 0;
    int held = 0;
    // Rebuilt in place: ids stay, so the expansion and the selection survive a refresh.
    QHash<QString, QTreeWidgetItem *> existing;
    for (int i = 0; i < m_tree->topLevelItemCount(); ++i)
        existing.insert(m_tree->topLevelItem(i)->data(NodeColumn, Qt::UserRole).toString(),
                        m_tree->topLevelItem(i));
    for (const SwarmNode &node : std::as_const(m_nodes)) {
        gpus += node.gpuCount();
        held += node.heldGpus();
        QTreeWidgetItem *item = existing.take(node.id);
        if (!item) {
            item = new QTreeWidgetItem(m_tree);
            item->setData(NodeColumn, Qt::UserRole, node.id);
            item->setExpanded(true);
        }
        item->setText(NodeColumn, QStringLiteral("%1 (%2)").arg(node.hostname, node.role));
        item->setToolTip(NodeColumn, tr("Node %1 at %2").arg(node.id, node.address));
        item->setText(StateColumn,
                      node.availability == QLatin1String("active")
                          ? node.state
                          : QStringLiteral("%1, %2").arg(node.state, node.availability));
        const bool ready = node.state == QLatin1String("ready")
                           && node.availability == QLatin1String("active");
        item->setForeground(StateColumn, StatusColors::text(ready ? StatusColors::Tone::Ok
                                                                  : StatusColors::Tone::Warning,
                                                            m_tree->palette()));
        item->setText(GpuColumn, node.gpuCount() == 0
                                     ? tr("no GPUs advertised")
                                     : counted(node.gpuCount(), tr("1 GPU"), tr("%1 GPUs"))
                                           + QStringLiteral(" · ")
                                           + tr("%1 held").arg(node.heldGpus()));
        while (item->childCount() > node.gpus.size())
            delete item->takeChild(item->childCount() - 1);
        for (qsizetype g = 0; g < node.gpus.size(); ++g) {
            const SwarmNode::Gpu &gpu = node.gpus.at(g);
            QTreeWidgetItem *child = g < item->childCount() ? item->child(int(g))
                                                            : new QTreeWidgetItem(item);
            // The UUID where there is room for it; the holder after it.
            child->setText(NodeColumn, tr("GPU"));
            child->setText(StateColumn, gpu.taskId.isEmpty() ? tr("free") : gpu.taskState);
            child->setText(GpuColumn, gpu.taskId.isEmpty()
                                          ? gpu.uuid
                                          : tr("%1 · held by %2 (%3)")
                                                .arg(gpu.uuid, gpu.taskName, gpu.taskId.left(12)));
            child->setData(GpuColumn, Qt::UserRole, gpu.uuid);
            child->setToolTip(GpuColumn, child->text(GpuColumn));
            child->setForeground(StateColumn,
                                 gpu.taskId.isEmpty()
                                     ? QBrush()
                                     : QBrush(StatusColors::text(StatusColors::Tone::Warning,
                                                                 m_tree->palette())));
        }
    }
    qDeleteAll(existing);
    m_summary->setText(counted(int(m_nodes.size()), tr("1 node"), tr("%1 nodes"))
                       + QStringLiteral(" · ") + counted(gpus, tr("1 GPU"), tr("%1 GPUs"))
                       + QStringLiteral(" · ") + tr("%1 held by tasks").arg(held));
    emit nodesChanged();
}

void SwarmView::launch()
{
    if (!m_manager || !m_client || !m_specSource)
        return;
    const LaunchSpec spec = m_specSource();
    QList<ValidationIssue> issues = spec.validate(m_client->apiVersion(), m_client->kind());
    // What a swarm cannot do for GPUs ("all GPUs", CDI devices) is refused here already.
    const Result<SwarmService::Plan> plan = SwarmService::plan(spec, m_replicas->value(), {});
    if (issues.isEmpty() && !plan)
        issues.append({QString(), plan.error().message()});
    if (!issues.isEmpty()) {
        m_status->setText(issues.first().message);
        m_status->setStyleSheet(StatusColors::styleSheet(StatusColors::Tone::Error, m_status));
        return;
    }
    m_status->setStyleSheet({});
    m_status->setText(tr("Launched: its output is in the log pane."));
    emit launchRequested(m_client, spec, m_replicas->value());
    refresh();
}

QString SwarmView::statusText() const
{
    return m_status->text();
}
