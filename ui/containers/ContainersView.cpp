#include "containers/ContainersView.h"

#include "common/ShellWords.h"
#include "gpu/GpuHistory.h"
#include "gpus/SparkDelegate.h"

#include "containers/ContainerWatch.h"
#include "engine/DockerClient.h"
#include "widgets/StatusColors.h"

#include <QCheckBox>
#include <QClipboard>
#include <QDesktopServices>
#include <QGuiApplication>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QJsonDocument>
#include <QJsonObject>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QSortFilterProxyModel>
#include <QTableView>
#include <QTimer>
#include <QUrl>
#include <QVBoxLayout>

namespace {

// Search by name or image, and "GPU containers only".
class ContainersFilter : public QSortFilterProxyModel
{
public:
    using QSortFilterProxyModel::QSortFilterProxyModel;

    void setText(const QString &text)
    {
        m_text = text.trimmed();
        invalidateFilter();
    }
    void setGpuOnly(bool on)
    {
        m_gpuOnly = on;
        invalidateFilter();
    }

protected:
    bool filterAcceptsRow(int row, const QModelIndex &parent) const override
    {
        const QAbstractItemModel *m = sourceModel();
        if (m_gpuOnly && !m->data(m->index(row, 0, parent), ContainersModel::UsesGpusRole).toBool())
            return false;
        if (m_text.isEmpty())
            return true;
        for (int column : {int(ContainersModel::Name), int(ContainersModel::Image)}) {
            if (m->data(m->index(row, column, parent))
                    .toString()
                    .contains(m_text, Qt::CaseInsensitive))
                return true;
        }
        return false;
    }

private:
    QString m_text;
    bool m_gpuOnly = false;
};

QPushButton *button(const QString &text, const QString &name, QWidget *parent)
{
    auto *b = new QPushButton(text, parent);
    b->setObjectName(name);
    return b;
}

} // namespace

ContainersView::ContainersView(DockerClient *client, EngineWatch *watch, QWidget *parent)
    : QWidget(parent), m_client(client), m_watch(new ContainerWatch(client, watch, this))
{
    setObjectName(QStringLiteral("containersView"));
    auto *filter = new ContainersFilter(this);
    m_proxy = filter;
    m_proxy->setSourceModel(m_watch->model());
    m_proxy->setSortRole(ContainersModel::SortRole);

    m_search = new QLineEdit(this);
    m_search->setObjectName(QStringLiteral("containerSearch"));
    m_search->setPlaceholderText(tr("Search by name or image"));
    m_search->setClearButtonEnabled(true);
    m_gpuOnly = new QCheckBox(tr("GPU containers only"), this);
    m_gpuOnly->setObjectName(QStringLiteral("gpuContainersOnly"));

    m_stop = button(tr("Stop"), QStringLiteral("stopContainer"), this);
    m_kill = button(tr("Kill"), QStringLiteral("killContainer"), this);
    m_restart = button(tr("Restart"), QStringLiteral("restartContainer"), this);
    m_remove = button(tr("Remove"), QStringLiteral("removeContainer"), this);
    m_copyId = button(tr("Copy ID"), QStringLiteral("copyContainerId"), this);
    m_logs = button(tr("Logs"), QStringLiteral("containerLogs"), this);
    m_shell = button(tr("Shell"), QStringLiteral("containerShell"), this);
    m_shell->setToolTip(tr("Open a terminal running the command beside it in the container"));
    m_shellCommand = new QLineEdit(this);
    m_shellCommand->setObjectName(QStringLiteral("shellCommand"));
    m_shellCommand->setPlaceholderText(tr("bash or sh"));
    m_shellCommand->setToolTip(tr("The command Shell runs; empty: the first of bash and sh the "
                                  "image has"));
    m_shellCommand->setMaximumWidth(140);
    m_attach = button(tr("Attach"), QStringLiteral("attachContainer"), this);
    m_attach->setToolTip(tr("Open the terminal of an interactive container (docker run -it) "
                            "again, as docker attach does"));
    m_launchAgain = button(tr("Launch Again"), QStringLiteral("launchAgain"), this);
    m_launchAgain->setToolTip(tr("Load its launch into the launch form: the preset that "
                                 "launched it, or the settings read from the container"));
    m_vsCode = button(tr("Open in VS Code"), QStringLiteral("openInVsCode"), this);
    m_vsCode->setToolTip(tr("Attach VS Code to the container (its address is copied too)"));

    m_table = new QTableView(this);
    m_table->setObjectName(QStringLiteral("containersTable"));
    m_table->setModel(m_proxy);
    m_table->setSortingEnabled(true);
    m_table->sortByColumn(ContainersModel::Name, Qt::AscendingOrder);
    m_table->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_table->setSelectionMode(QAbstractItemView::SingleSelection);
    m_table->setEditTriggers(QAbstractItemView::NoEditTriggers);
    m_table->verticalHeader()->hide();
    m_table->horizontalHeader()->setStretchLastSection(true);
    // Each container's GPU utilisation over the last minutes, as the GPU rows draw theirs.
    static_assert(int(ContainersModel::UseSeriesRole) == int(SparkDelegate::SeriesRole));
    m_table->setItemDelegateForColumn(ContainersModel::GpuUse, new SparkDelegate(m_table));

    // Removing a running container asks once, inline: nothing blocks the window.
    m_confirm = new QWidget(this);
    m_confirm->setObjectName(QStringLiteral("removeConfirm"));
    m_confirmText = new QLabel(m_confirm);
    auto *confirmYes = button(tr("Remove"), QStringLiteral("confirmRemove"), m_confirm);
    auto *confirmNo = button(tr("Cancel"), QStringLiteral("cancelRemove"), m_confirm);
    auto *confirmRow = new QHBoxLayout(m_confirm);
    confirmRow->setContentsMargins(0, 0, 0, 0);
    confirmRow->addWidget(m_confirmText, 1);
    confirmRow->addWidget(confirmYes);
    confirmRow->addWidget(confirmNo);
    m_confirm->hide();

    m_status = new QLabel(this);
    m_status->setObjectName(QStringLiteral("containersStatus"));
    m_status->setWordWrap(true);
    m_status->hide();

    auto *top = new QHBoxLayout;
    top->addWidget(m_search, 1);
    top->addWidget(m_gpuOnly);
    auto *actions = new QHBoxLayout;
    for (QPushButton *b : {m_stop, m_kill, m_restart, m_remove, m_copyId, m_logs})
        actions->addWidget(b);
    actions->addWidget(m_shell);
    actions->addWidget(m_shellCommand);
    for (QPushButton *b : {m_attach, m_launchAgain, m_vsCode})
        actions->addWidget(b);
    actions->addStretch(1);
    auto *layout = new QVBoxLayout(this);
    layout->addLayout(top);
    layout->addWidget(m_table, 1);
    layout->addWidget(m_confirm);
    layout->addLayout(actions);
    layout->addWidget(m_status);

    connect(m_search, &QLineEdit::textChanged, this,
            [filter](const QString &text) { filter->setText(text); });
    connect(m_gpuOnly, &QCheckBox::toggled, this, [filter](bool on) { filter->setGpuOnly(on); });
    connect(m_table->selectionModel(), &QItemSelectionModel::selectionChanged, this,
            &ContainersView::updateButtons);
    connect(m_proxy, &QAbstractItemModel::dataChanged, this, &ContainersView::updateButtons);
    connect(m_proxy, &QAbstractItemModel::modelReset, this, &ContainersView::updateButtons);
    connect(m_proxy, &QAbstractItemModel::rowsRemoved, this, &ContainersView::updateButtons);
    connect(m_watch, &ContainerWatch::failed, this, &ContainersView::showError);
    connect(m_watch, &ContainerWatch::listed, this, [this]() { m_status->hide(); });

    connect(m_stop, &QPushButton::clicked, this,
            [this]() { act(QStringLiteral("stop?t=10"), tr("stop")); });
    connect(m_kill, &QPushButton::clicked, this,
            [this]() { act(QStringLiteral("kill"), tr("kill")); });
    connect(m_restart, &QPushButton::clicked, this,
            [this]() { act(QStringLiteral("restart?t=10"), tr("restart")); });
    connect(m_remove, &QPushButton::clicked, this, &ContainersView::askRemove);
    connect(confirmYes, &QPushButton::clicked, this, [this]() { removeSelected(true); });
    connect(confirmNo, &QPushButton::clicked, this, [this]() {
        m_confirm->hide();
        m_confirmId.clear();
    });
    connect(m_copyId, &QPushButton::clicked, this, [this]() {
        if (const QString id = selectedId(); !id.isEmpty())
            QGuiApplication::clipboard()->setText(id);
    });
    connect(m_logs, &QPushButton::clicked, this, [this]() {
        const int row = m_watch->model()->rowOf(selectedId());
        if (row < 0)
            return;
        const ContainerRecord &record = m_watch->model()->recordAt(row);
        emit logsRequested(record.id, record.name, record.tty);
    });
    connect(m_table, &QTableView::doubleClicked, m_logs, &QPushButton::click);
    connect(m_shell, &QPushButton::clicked, this, &ContainersView::requestShell);
    connect(m_shellCommand, &QLineEdit::returnPressed, this, &ContainersView::requestShell);
    connect(m_attach, &QPushButton::clicked, this, [this]() {
        const int row = m_watch->model()->rowOf(selectedId());
        if (row < 0)
            return;
        const ContainerRecord &record = m_watch->model()->recordAt(row);
        emit attachRequested(record.id, record.name);
    });
    connect(m_launchAgain, &QPushButton::clicked, this, [this]() {
        const int row = m_watch->model()->rowOf(selectedId());
        if (row >= 0)
            emit launchAgainRequested(m_watch->model()->recordAt(row).id,
                                      m_watch->model()->recordAt(row).preset);
    });
    connect(m_vsCode, &QPushButton::clicked, this, &ContainersView::openInVsCode);

    // "Up 5 minutes" moves on: a redraw a minute, no engine call.
    m_tick = new QTimer(this);
    m_tick->setInterval(60 * 1000);
    connect(m_tick, &QTimer::timeout, this,
            [this]() { m_watch->model()->setNow(QDateTime::currentDateTimeUtc()); });
    m_tick->start();

    updateButtons();
    m_watch->start();
}

ContainersView::~ContainersView() = default;

void ContainersView::setHostGpus(const GpuSnapshot &host)
{
    m_watch->model()->setHost(host);
}

void ContainersView::setGpuHistory(const GpuHistory &history)
{
    constexpr int kPoints = 60; // the sparkline's last minute at one read a second
    const GpuSnapshot &host = m_watch->model()->host();
    QHash<QString, ContainersModel::Use> use;
    for (const ContainerRecord &r : m_watch->model()->records()) {
        if (!r.isRunning())
            continue;
        QStringList held;
        for (const ContainerGpus::Gpu &gpu : r.gpus.held(host.gpus.isEmpty() ? nullptr : &host)) {
            if (!gpu.uuid.isEmpty())
                held << gpu.uuid;
        }
        const qint64 since = r.startedAt.isValid() ? r.startedAt.toMSecsSinceEpoch() : 0;
        const QList<GpuHistory::ContainerPoint> points = history.containerUse(r.id, held, since);
        if (points.isEmpty())
            continue;
        ContainersModel::Use &u = use[r.id];
        qint64 peak = 0;
        for (qsizetype i = qMax<qsizetype>(0, points.size() - kPoints); i < points.size(); ++i) {
            u.series << qMax(0, points.at(i).gpuUtil) / 100.0;
            peak = qMax(peak, points.at(i).memoryBytes);
        }
        u.text = tr("GPU utilisation %1 % now; GPU memory %2 GiB now, up to %3 GiB")
                     .arg(qMax(0, points.last().gpuUtil))
                     .arg(double(points.last().memoryBytes) / (1 << 30), 0, 'f', 1)
                     .arg(double(peak) / (1 << 30), 0, 'f', 1);
    }
    m_watch->model()->setUse(use);
}

QString ContainersView::selectedId() const
{
    const QModelIndexList rows = m_table->selectionModel()->selectedRows();
    return rows.isEmpty() ? QString() : rows.first().data(ContainersModel::IdRole).toString();
}

bool ContainersView::selectContainer(const QString &idOrName)
{
    for (int row = 0; row < m_proxy->rowCount(); ++row) {
        const QModelIndex index = m_proxy->index(row, ContainersModel::Name);
        if (index.data().toString() == idOrName
            || index.data(ContainersModel::IdRole).toString().startsWith(idOrName)) {
            m_table->selectRow(row);
            return true;
        }
    }
    return false;
}

QUrl ContainersView::vsCodeUrl(const QString &name)
{
    QJsonObject target;
    target.insert(QStringLiteral("containerName"), QString(QLatin1Char('/') + name));
    const QByteArray json = QJsonDocument(target).toJson(QJsonDocument::Compact);
    return QUrl(QStringLiteral("vscode-remote://attached-container+%1/")
                    .arg(QString::fromLatin1(json.toHex())));
}

void ContainersView::openInVsCode()
{
    const int row = m_watch->model()->rowOf(selectedId());
    if (row < 0 || !m_client)
        return;
    const QString name = m_watch->model()->recordAt(row).name;
    if (m_client->endpoint().isRemote()) {
        // VS Code's Dev Containers attach only to the engine of the machine it runs on.
        m_status->setText(tr("VS Code attaches to containers of this machine's engine. For %1 on "
                             "a remote engine, connect VS Code to that host first (Remote-SSH), "
                             "then use Dev Containers: Attach to Running Container.")
                              .arg(name));
        m_status->setStyleSheet(QString());
        m_status->show();
        return;
    }
    const QUrl url = vsCodeUrl(name);
    QGuiApplication::clipboard()->setText(url.toString());
    if (!QDesktopServices::openUrl(url)) {
        m_status->setText(
            tr("VS Code did not open; its address is on the clipboard: %1").arg(url.toString()));
        m_status->setStyleSheet(QString());
        m_status->show();
    }
}

void ContainersView::requestShell()
{
    const int row = m_watch->model()->rowOf(selectedId());
    if (row < 0 || !m_watch->model()->recordAt(row).isRunning())
        return;
    const Result<QStringList> command = ShellWords::split(m_shellCommand->text());
    if (!command) {
        showError(command.error());
        return;
    }
    m_status->hide();
    const ContainerRecord &record = m_watch->model()->recordAt(row);
    emit shellRequested(record.id, record.name, command.value());
}

void ContainersView::updateButtons()
{
    const int row = m_watch->model()->rowOf(selectedId());
    const bool any = row >= 0;
    const bool running = any && m_watch->model()->recordAt(row).isRunning();
    m_stop->setEnabled(running);
    m_kill->setEnabled(running);
    m_restart->setEnabled(any);
    m_remove->setEnabled(any);
    m_copyId->setEnabled(any);
    m_logs->setEnabled(any);
    m_launchAgain->setEnabled(any);
    m_vsCode->setEnabled(running);
    m_shell->setEnabled(running);
    const bool interactive = running && m_watch->model()->recordAt(row).tty
                             && m_watch->model()->recordAt(row).openStdin;
    m_attach->setEnabled(interactive);
    if (m_confirm->isVisible() && m_watch->model()->rowOf(m_confirmId) < 0) {
        m_confirm->hide(); // the container went meanwhile
        m_confirmId.clear();
    }
}

void ContainersView::act(const QString &what, const QString &verb)
{
    const QString id = selectedId();
    const int row = m_watch->model()->rowOf(id);
    if (!m_client || row < 0)
        return;
    const QString name = m_watch->model()->recordAt(row).name;
    const QString path = QStringLiteral("/containers/%1/%2").arg(id, what);
    m_client->call("POST", path, {}, tr("Cannot %1 %2").arg(verb, name), this,
                   [this](const Result<QByteArray> &result) {
                       if (!result)
                           showError(result.error());
                   });
}

void ContainersView::askRemove()
{
    const QString id = selectedId();
    const int row = m_watch->model()->rowOf(id);
    if (row < 0)
        return;
    const ContainerRecord &record = m_watch->model()->recordAt(row);
    if (!record.isRunning()) {
        removeSelected(false);
        return;
    }
    m_confirmId = id;
    m_confirmText->setText(
        tr("%1 is running: remove it anyway? It is killed first.").arg(record.name));
    m_confirm->show();
}

void ContainersView::removeSelected(bool force)
{
    const QString id = force ? m_confirmId : selectedId();
    m_confirm->hide();
    m_confirmId.clear();
    if (!m_client || id.isEmpty())
        return;
    m_client->removeContainer(id, force, this, [this](const Result<void> &result) {
        if (!result)
            showError(result.error());
        // The row goes with the engine's destroy event.
    });
}

void ContainersView::showError(const Error &error)
{
    m_status->setStyleSheet(StatusColors::styleSheet(StatusColors::Tone::Error, m_status));
    m_status->setText(error.message());
    m_status->show();
}
