#include "gpus/GpuPanel.h"

#include "gpu/GpuHistory.h"
#include "gpus/GpuHistoryBox.h"
#include "gpus/ProcessColumn.h"
#include "gpus/SparkDelegate.h"
#include "widgets/Icons.h"
#include "widgets/StatusColors.h"

#include <QButtonGroup>
#include <QEvent>
#include <QFontMetrics>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QIcon>
#include <QLabel>
#include <QLocale>
#include <QRadioButton>
#include <QSpinBox>
#include <QStackedWidget>
#include <QTreeWidget>
#include <QVBoxLayout>

namespace {

QString gib(qint64 bytes)
{
    return QString::number(double(bytes) / (1024.0 * 1024.0 * 1024.0), 'f', 1);
}

} // namespace

GpuPanel::GpuPanel(QWidget *parent)
    : QWidget(parent),
      m_devicesMode(new QRadioButton(tr("&Ticked GPUs"), this)),
      m_allMode(new QRadioButton(tr("&All GPUs"), this)),
      m_countMode(new QRadioButton(tr("&First"), this)),
      m_freeMode(new QRadioButton(tr("F&ree"), this)),
      m_modes(new QButtonGroup(this)),
      m_count(new QSpinBox(this)),
      m_countNote(new QLabel(this)),
      m_freeNote(new QLabel(this)),
      m_stack(new QStackedWidget(this)),
      m_tree(new QTreeWidget(this)),
      m_message(new QLabel(this)),
      m_issue(new QLabel(this)),
      m_driver(new QLabel(this)),
      m_missing(new QLabel(this)),
      m_busy(new QLabel(this)),
      m_cdiNote(new QLabel(this)),
      m_historyBox(new GpuHistoryBox(this))
{
    setObjectName(QStringLiteral("gpuPanel"));
    m_devicesMode->setObjectName(QStringLiteral("gpuModeDevices"));
    m_allMode->setObjectName(QStringLiteral("gpuModeAll"));
    m_countMode->setObjectName(QStringLiteral("gpuModeCount"));
    m_freeMode->setObjectName(QStringLiteral("gpuModeFree"));
    m_freeNote->setObjectName(QStringLiteral("freeNote"));
    m_count->setObjectName(QStringLiteral("gpuCount"));
    m_countNote->setObjectName(QStringLiteral("countNote"));
    m_tree->setObjectName(QStringLiteral("gpuTree"));
    m_message->setObjectName(QStringLiteral("gpuMessage"));
    m_issue->setObjectName(QStringLiteral("gpuIssue"));
    m_driver->setObjectName(QStringLiteral("gpuDriver"));
    m_missing->setObjectName(QStringLiteral("gpuMissing"));
    m_busy->setObjectName(QStringLiteral("gpuBusyWarning"));
    m_cdiNote->setObjectName(QStringLiteral("gpuCdiNote"));

    m_modes->addButton(m_devicesMode);
    m_modes->addButton(m_allMode);
    m_modes->addButton(m_countMode);
    m_modes->addButton(m_freeMode);
    m_devicesMode->setChecked(true);
    m_devicesMode->setToolTip(tr("The container gets exactly the GPUs and MIG slices ticked below; "
                                 "none ticked launches without GPUs"));
    m_allMode->setToolTip(tr("The container gets every GPU of the host (--gpus all)"));
    const QString note = tr("A count takes the first N GPUs (0..N-1), not the free ones.");
    m_countMode->setToolTip(note);
    m_count->setRange(1, 64);
    m_count->setToolTip(note);
    m_count->setEnabled(false);
    m_countNote->setText(note);
    m_countNote->setWordWrap(true);
    m_countNote->setVisible(false);
    m_countNote->setStyleSheet(StatusColors::styleSheet(StatusColors::Tone::Warning, m_countNote));
    const QString freeNote =
        tr("Free GPUs run no process and have under %1 MiB in use; they are picked "
           "when the launch starts.")
            .arg(GpuInfo::kFreeMemoryBytes / (1024 * 1024));
    m_freeMode->setToolTip(freeNote);
    m_freeNote->setText(freeNote);
    m_freeNote->setWordWrap(true);
    m_freeNote->setVisible(false);

    m_tree->setColumnCount(6);
    m_tree->setHeaderLabels({tr("GPU"), tr("Name"), tr("Memory (GiB)"), tr("Utilisation"),
                             tr("Temp"), tr("Processes")});
    m_tree->setRootIsDecorated(true);
    m_tree->setUniformRowHeights(true);
    m_tree->setTextElideMode(Qt::ElideRight);
    m_tree->setAllColumnsShowFocus(true);
    // Four GPUs in sight before the history below takes any room (a laptop screen).
    constexpr int kRowsInSight = 4;
    m_tree->setMinimumHeight(m_tree->fontMetrics().height() * 3 / 2 * (kRowsInSight + 1)
                             + m_tree->frameWidth() * 2);
    m_tree->setSelectionMode(QAbstractItemView::SingleSelection);
    auto *bars = new SparkDelegate(m_tree); // the bar now, the last minute drawn over it
    m_tree->setItemDelegateForColumn(MemoryColumn, bars);
    m_tree->setItemDelegateForColumn(UtilColumn, bars);
    QHeaderView *header = m_tree->header();
    // Who is on each GPU must show at 1366x768 without a horizontal scroll bar: the name is short
    // ("H100 80GB HBM3"; the tooltip has it whole), the bars are kept narrow, the temperature
    // gives way when room is short (fitColumns), the processes take the rest.
    header->setStretchLastSection(true);
    header->setSectionResizeMode(IndexColumn, QHeaderView::ResizeToContents);
    header->resizeSection(NameColumn, 120);
    header->resizeSection(MemoryColumn, 92);
    header->resizeSection(UtilColumn, 64);
    header->setSectionResizeMode(TempColumn, QHeaderView::ResizeToContents);
    header->setMinimumSectionSize(40);
    m_tree->viewport()->installEventFilter(this);

    m_message->setWordWrap(true);
    m_message->setAlignment(Qt::AlignCenter);
    m_message->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_message->setMargin(12);
    m_message->setText(tr("Reading the GPUs…"));
    m_stack->addWidget(m_message);
    m_stack->addWidget(m_tree);

    m_issue->setWordWrap(true);
    m_issue->setStyleSheet(StatusColors::styleSheet(StatusColors::Tone::Error, m_issue));
    m_issue->hide();
    m_missing->setWordWrap(true);
    m_missing->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_missing->setStyleSheet(StatusColors::styleSheet(StatusColors::Tone::Warning, m_missing));
    m_missing->setTextFormat(Qt::RichText);
    connect(m_missing, &QLabel::linkActivated, this, [this]() {
        const QStringList missing = missingDevices();
        for (const QString &id : missing)
            m_ticked.removeAll(id);
        updateMissing();
        emit selectionChanged();
    });
    m_missing->hide();
    m_busy->setWordWrap(true);
    m_busy->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_busy->hide();
    m_cdiNote->setWordWrap(true);
    m_cdiNote->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_cdiNote->setStyleSheet(StatusColors::styleSheet(StatusColors::Tone::Warning, m_cdiNote));
    m_cdiNote->hide();
    m_driver->setEnabled(false);

    auto *modes = new QHBoxLayout;
    modes->addWidget(m_devicesMode);
    modes->addWidget(m_allMode);
    modes->addWidget(m_countMode);
    modes->addWidget(m_freeMode);
    modes->addWidget(m_count);
    modes->addWidget(new QLabel(tr("GPUs"), this));
    modes->addStretch(1);
    modes->addWidget(m_driver);

    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addLayout(modes);
    layout->addWidget(m_countNote);
    layout->addWidget(m_freeNote);
    layout->addWidget(m_stack, 1);
    layout->addWidget(m_historyBox);
    connect(m_historyBox, &GpuHistoryBox::stopRequested, this, &GpuPanel::stopRequested);
    connect(m_tree, &QTreeWidget::currentItemChanged, this, [this](QTreeWidgetItem *item) {
        while (item && item->parent())
            item = item->parent(); // a MIG slice shows its GPU
        if (item)
            m_historyBox->showGpu(item->data(IndexColumn, UuidRole).toString());
    });
    layout->addWidget(m_missing);
    layout->addWidget(m_busy);
    layout->addWidget(m_cdiNote);
    layout->addWidget(m_issue);

    connect(m_tree, &QTreeWidget::itemChanged, this, &GpuPanel::onItemChanged);
    const auto activateHolder = [this](QTreeWidgetItem *item, int column) {
        const QStringList holders = item->data(IndexColumn, HoldersRole).toStringList();
        if (column == ProcessColumn && !holders.isEmpty())
            emit holderActivated(holders.first());
    };
    connect(m_tree, &QTreeWidget::itemClicked, this, activateHolder);
    connect(m_tree, &QTreeWidget::itemDoubleClicked, this, activateHolder);
    connect(m_modes, &QButtonGroup::buttonToggled, this, [this](QAbstractButton *, bool on) {
        if (on)
            onModeChanged();
    });
    connect(m_count, &QSpinBox::valueChanged, this, [this]() {
        updateTicks();
        emit selectionChanged();
    });
}

int GpuPanel::gpuCount() const
{
    return m_tree->topLevelItemCount();
}

GpuAlerts *GpuPanel::alerts() const
{
    return m_historyBox->alerts();
}

QList<QTreeWidgetItem *> GpuPanel::deviceItems() const
{
    QList<QTreeWidgetItem *> items;
    for (int i = 0; i < m_tree->topLevelItemCount(); ++i) {
        QTreeWidgetItem *gpu = m_tree->topLevelItem(i);
        items.append(gpu);
        for (int m = 0; m < gpu->childCount(); ++m)
            items.append(gpu->child(m));
    }
    return items;
}

void GpuPanel::setHolders(const QHash<QString, QStringList> &holders)
{
    if (holders == m_holders)
        return;
    m_holders = holders;
    if (m_haveSnapshot)
        setSnapshot(m_snapshot);
}

void GpuPanel::setClaims(const QList<GpuLedger::Claim> &claims, qint64 engineClockOffsetMs)
{
    m_claims = claims;
    m_claimsClockOffsetMs = engineClockOffsetMs;
    if (m_haveSnapshot)
        setSnapshot(m_snapshot);
}

void GpuPanel::setSnapshot(const GpuSnapshot &snapshot)
{
    m_haveSnapshot = true;
    m_snapshot = snapshot;
    m_historyBox->checkAlerts(snapshot); // a snapshot shown again raises nothing again
    if (!snapshot.ok() || snapshot.gpus.isEmpty()) {
        const QString why = snapshot.ok() ? tr("The NVIDIA driver reports no GPUs on this host.")
                                          : snapshot.error.message();
        m_message->setText(tr("%1\nContainers without GPUs still launch.").arg(why));
        m_stack->setCurrentWidget(m_message);
        m_driver->clear();
        m_updating = true;
        m_tree->clear();
        m_updating = false;
        updateMissing();
        return;
    }
    m_stack->setCurrentWidget(m_tree);
    m_driver->setText(
        snapshot.driverVersion.isEmpty() ? QString() : tr("Driver %1").arg(snapshot.driverVersion));

    m_updating = true;
    // Update rows in place (matched by UUID) so that ticks, selection and scrolling survive.
    QHash<QString, QTreeWidgetItem *> existing;
    for (int i = 0; i < m_tree->topLevelItemCount(); ++i)
        existing.insert(m_tree->topLevelItem(i)->data(IndexColumn, UuidRole).toString(),
                        m_tree->topLevelItem(i));
    QList<QTreeWidgetItem *> keep;
    for (const GpuInfo &gpu : snapshot.gpus) {
        QTreeWidgetItem *item = existing.take(gpu.uuid);
        if (!item) {
            item = new QTreeWidgetItem(m_tree);
            item->setData(IndexColumn, UuidRole, gpu.uuid);
            item->setExpanded(true);
        }
        fillGpuItem(item, gpu);
        keep.append(item);
    }
    qDeleteAll(existing);
    // Keep the driver's order.
    for (int i = 0; i < keep.size(); ++i) {
        if (m_tree->indexOfTopLevelItem(keep[i]) != i) {
            const bool expanded = keep[i]->isExpanded();
            m_tree->takeTopLevelItem(m_tree->indexOfTopLevelItem(keep[i]));
            m_tree->insertTopLevelItem(i, keep[i]);
            keep[i]->setExpanded(expanded);
        }
    }
    m_updating = false;
    fitColumns();
    updateTicks();
    updateHistory();
}

void GpuPanel::setHistory(const GpuHistory *history, QObject *owner)
{
    m_history = history;
    m_historyOwner = owner;
    m_historyBox->setHistory(history, owner);
    updateHistory();
}

void GpuPanel::updateHistory()
{
    const GpuHistory *history = m_historyOwner ? m_history : nullptr;
    for (int i = 0; i < m_tree->topLevelItemCount(); ++i) {
        QTreeWidgetItem *item = m_tree->topLevelItem(i);
        const SparkDelegate::Minute minute =
            SparkDelegate::lastMinute(history, item->data(IndexColumn, UuidRole).toString());
        item->setData(UtilColumn, SparkDelegate::SeriesRole,
                      QVariant::fromValue(minute.utilisation));
        item->setData(MemoryColumn, SparkDelegate::SeriesRole, QVariant::fromValue(minute.memory));
    }
    m_historyBox->refresh(m_tree->topLevelItemCount() > 0
                              ? m_tree->topLevelItem(0)->data(IndexColumn, UuidRole).toString()
                              : QString());
}

bool GpuPanel::eventFilter(QObject *watched, QEvent *event)
{
    if (watched == m_tree->viewport() && event->type() == QEvent::Resize)
        fitColumns();
    return QWidget::eventFilter(watched, event);
}

void GpuPanel::fitColumns()
{
    QHeaderView *header = m_tree->header();
    const QFontMetrics metrics = m_tree->fontMetrics();
    const int padding = metrics.horizontalAdvance(QStringLiteral("MM"));
    int name = 0;
    for (int i = 0; i < m_tree->topLevelItemCount(); ++i)
        name = qMax(name, metrics.horizontalAdvance(m_tree->topLevelItem(i)->text(NameColumn)));
    if (name > 0)
        header->resizeSection(NameColumn, qBound(60, name + padding / 2, 170));
    // Room for an owner such as "train-llm (container) 40 GiB" first; the temperature after.
    const int owners = metrics.horizontalAdvance(QStringLiteral("train-llm (container) 40 GiB"))
                       + padding;
    const int others = header->sectionSize(IndexColumn) + header->sectionSize(NameColumn)
                       + header->sectionSize(MemoryColumn) + header->sectionSize(UtilColumn);
    const int temperature = metrics.horizontalAdvance(
                                header->model()->headerData(TempColumn, Qt::Horizontal).toString())
                            + padding;
    header->setSectionHidden(TempColumn,
                             m_tree->viewport()->width() < others + temperature + owners);
}

void GpuPanel::fillGpuItem(QTreeWidgetItem *item, const GpuInfo &gpu)
{
    const QString id = QString::number(gpu.index);
    item->setData(IndexColumn, DeviceIdRole, id);
    item->setText(IndexColumn, id);
    const QString cdi = cdiDeviceOf(gpu);
    item->setData(IndexColumn, CdiRole, cdi);
    // Every GPU here is NVIDIA's: the model says the rest.
    QString name = gpu.name;
    if (name.startsWith(QLatin1String("NVIDIA ")))
        name.remove(0, 7);
    item->setText(NameColumn, cdi.isEmpty() ? name : tr("%1 · CDI").arg(name));
    QString nameTip = tr("%1\n%2\nPCI %3").arg(gpu.name, gpu.uuid, gpu.pciBusId);
    if (m_cdiKnown) {
        nameTip += QLatin1Char('\n')
                   + (cdi.isEmpty() ? tr("No CDI device on the engine's host")
                                    : tr("CDI device: %1").arg(cdi));
    }
    item->setToolTip(NameColumn, nameTip);
    item->setFlags(Qt::ItemIsEnabled | Qt::ItemIsSelectable | Qt::ItemIsUserCheckable);

    if (gpu.memoryTotal > 0 && gpu.memoryUsed >= 0) {
        item->setText(MemoryColumn, tr("%1 / %2").arg(gib(gpu.memoryUsed), gib(gpu.memoryTotal)));
        item->setData(MemoryColumn, BarDelegate::FractionRole,
                      double(gpu.memoryUsed) / double(gpu.memoryTotal));
    } else {
        item->setText(MemoryColumn,
                      gpu.memoryTotal > 0 ? tr("? / %1").arg(gib(gpu.memoryTotal)) : tr("—"));
        item->setData(MemoryColumn, BarDelegate::FractionRole, QVariant());
    }
    if (gpu.gpuUtil >= 0) {
        item->setText(UtilColumn, tr("%1 %").arg(gpu.gpuUtil));
        item->setData(UtilColumn, BarDelegate::FractionRole, gpu.gpuUtil / 100.0);
    } else {
        item->setText(UtilColumn, tr("—"));
        item->setData(UtilColumn, BarDelegate::FractionRole, QVariant());
    }
    item->setText(TempColumn, gpu.temperature >= 0 ? tr("%1 °C").arg(gpu.temperature) : tr("—"));
    item->setToolTip(
        UtilColumn,
        gpu.temperature >= 0
            ? tr("%1, temperature %2 °C").arg(item->text(UtilColumn)).arg(gpu.temperature)
            : item->text(UtilColumn));

    QStringList holders = m_holders.value(gpu.uuid);
    if (holders.isEmpty())
        holders = m_holders.value(QString::number(gpu.index));
    item->setData(IndexColumn, HoldersRole, holders);
    const QString claimer = GpuLedger::claimedBy(m_claims, {},
                                                 QDateTime::currentDateTimeUtc().addMSecs(
                                                     m_claimsClockOffsetMs))
                                .value(gpu.uuid);
    const ProcessColumn::Cell cell = ProcessColumn::cell(gpu, holders, claimer);
    const QString &processes = cell.text;
    const bool taken = cell.taken;
    // Free as picks see it: no holder, no claim.
    item->setData(IndexColumn, FreeRole, gpu.isFree() && holders.isEmpty() && claimer.isEmpty());
    item->setText(ProcessColumn, processes);
    item->setToolTip(ProcessColumn, cell.details.join(QLatin1Char('\n')));
    item->setData(IndexColumn, OthersRole, cell.others.join(QStringLiteral(" · ")));
    item->setIcon(IndexColumn, taken ? Icons::get(QStringLiteral("busy")) : QIcon());
    item->setToolTip(IndexColumn,
                     taken ? tr("GPU %1 is in use: %2").arg(id, processes) : tr("GPU %1").arg(id));
    const QBrush warn = taken || !gpu.error.isEmpty() ? QBrush(
                            StatusColors::text(StatusColors::Tone::Warning, m_tree->palette()))
                                                      : QBrush();
    item->setForeground(ProcessColumn, warn);

    // MIG slices: children, ticked by their "GPU:MIG" index.
    QHash<QString, QTreeWidgetItem *> children;
    for (int m = 0; m < item->childCount(); ++m)
        children.insert(item->child(m)->data(IndexColumn, UuidRole).toString(), item->child(m));
    for (const GpuInfo::MigDevice &mig : gpu.migDevices) {
        QTreeWidgetItem *child = children.take(mig.uuid);
        if (!child) {
            child = new QTreeWidgetItem(item);
            child->setData(IndexColumn, UuidRole, mig.uuid);
        }
        child->setData(IndexColumn, DeviceIdRole, mig.indexName);
        child->setText(IndexColumn, mig.indexName);
        child->setText(NameColumn, mig.name.isEmpty() ? tr("MIG slice") : mig.name);
        child->setToolTip(NameColumn, mig.uuid);
        child->setFlags(Qt::ItemIsEnabled | Qt::ItemIsSelectable | Qt::ItemIsUserCheckable);
    }
    qDeleteAll(children);
    if (gpu.migMode == GpuInfo::MigMode::Enabled)
        item->setToolTip(NameColumn, tr("%1\nMIG mode: its slices are listed under it")
                                         .arg(item->toolTip(NameColumn)));
}

void GpuPanel::onItemChanged(QTreeWidgetItem *item, int column)
{
    if (m_updating || column != IndexColumn || !m_devicesMode->isChecked())
        return;
    const QString id = item->data(IndexColumn, DeviceIdRole).toString();
    const bool ticked = item->checkState(IndexColumn) == Qt::Checked;
    const QString stored = tickedAs(item);
    if (ticked && stored.isEmpty())
        m_ticked.append(id);
    else if (!ticked && !stored.isEmpty())
        m_ticked.removeAll(stored);
    setIssue({});
    updateBusy();
    emit selectionChanged();
}

void GpuPanel::onModeChanged()
{
    m_count->setEnabled(m_countMode->isChecked() || m_freeMode->isChecked());
    m_countNote->setVisible(m_countMode->isChecked());
    m_freeNote->setVisible(m_freeMode->isChecked());
    setIssue({});
    updateTicks();
    emit selectionChanged();
}

void GpuPanel::updateTicks()
{
    // In "all", "count" and "free" modes the ticks preview which GPUs the container gets,
    // read-only ("free": those free now; the launch picks again when it starts).
    m_updating = true;
    const bool devices = m_devicesMode->isChecked();
    const QList<QTreeWidgetItem *> items = deviceItems();
    int freeTicked = 0;
    for (QTreeWidgetItem *item : items) {
        const QString id = item->data(IndexColumn, DeviceIdRole).toString();
        const bool mig = item->parent() != nullptr;
        bool on = false;
        if (devices)
            on = !tickedAs(item).isEmpty();
        else if (m_allMode->isChecked())
            on = !mig;
        else if (m_freeMode->isChecked())
            on = !mig && item->data(IndexColumn, FreeRole).toBool()
                 && freeTicked++ < m_count->value();
        else
            on = !mig && m_tree->indexOfTopLevelItem(item) < m_count->value();
        item->setCheckState(IndexColumn, on ? Qt::Checked : Qt::Unchecked);
        Qt::ItemFlags flags = Qt::ItemIsEnabled | Qt::ItemIsSelectable;
        if (devices)
            flags |= Qt::ItemIsUserCheckable;
        item->setFlags(flags);
    }
    m_updating = false;
    updateMissing();
    updateBusy();
}

QString GpuPanel::tickedAs(const QTreeWidgetItem *item) const
{
    const QString id = item->data(IndexColumn, DeviceIdRole).toString();
    if (m_ticked.contains(id))
        return id;
    const QString uuid = item->data(IndexColumn, UuidRole).toString();
    return !uuid.isEmpty() && m_ticked.contains(uuid) ? uuid : QString();
}

QStringList GpuPanel::missingDevices() const
{
    if (!m_haveSnapshot || !m_devicesMode->isChecked())
        return {};
    QStringList known;
    const QList<QTreeWidgetItem *> items = deviceItems();
    for (const QTreeWidgetItem *item : items) {
        known << item->data(IndexColumn, DeviceIdRole).toString()
              << item->data(IndexColumn, UuidRole).toString();
    }
    QStringList missing;
    for (const QString &id : m_ticked) {
        if (!known.contains(id))
            missing.append(id);
    }
    return missing;
}

void GpuPanel::updateMissing()
{
    const QStringList missing = missingDevices();
    if (missing.isEmpty()) {
        m_missing->hide();
        m_missing->clear();
        return;
    }
    const QString ids = missing.join(QStringLiteral(", ")).toHtmlEscaped();
    m_missing->setText(missing.size() == 1
                           ? tr("Not on this host: %1. The launch would ask the engine for it "
                                "anyway. <a href=\"forget\">Forget it</a>")
                                 .arg(ids)
                           : tr("Not on this host: %1. The launch would ask the engine for them "
                                "anyway. <a href=\"forget\">Forget them</a>")
                                 .arg(ids));
    m_missing->show();
}

GpuSelection GpuPanel::selection() const
{
    if (m_allMode->isChecked())
        return GpuSelection::all();
    if (m_countMode->isChecked())
        return GpuSelection::ofCount(m_count->value());
    if (m_freeMode->isChecked())
        return GpuSelection::ofFree(m_count->value());
    // The host's order first, then ids ticked elsewhere (a preset) that this host lacks.
    QStringList ids;
    const QList<QTreeWidgetItem *> items = deviceItems();
    for (const QTreeWidgetItem *item : items) {
        const QString id = tickedAs(item);
        if (!id.isEmpty())
            ids.append(id);
    }
    for (const QString &id : m_ticked) {
        if (!ids.contains(id))
            ids.append(id);
    }
    return ids.isEmpty() ? GpuSelection::none() : GpuSelection::ofDevices(ids);
}

void GpuPanel::setSelection(const GpuSelection &selection)
{
    const QSignalBlocker blockModes(m_modes);
    const QSignalBlocker blockCount(m_count);
    switch (selection.mode) {
    case GpuSelection::Mode::None:
        m_ticked.clear();
        m_devicesMode->setChecked(true);
        break;
    case GpuSelection::Mode::Devices:
        m_ticked = selection.devices;
        m_devicesMode->setChecked(true);
        break;
    case GpuSelection::Mode::All: m_allMode->setChecked(true); break;
    case GpuSelection::Mode::Count:
        m_count->setValue(selection.count);
        m_countMode->setChecked(true);
        break;
    case GpuSelection::Mode::Free:
        m_count->setValue(selection.count);
        m_freeMode->setChecked(true);
        break;
    }
    m_count->setEnabled(m_countMode->isChecked() || m_freeMode->isChecked());
    m_countNote->setVisible(m_countMode->isChecked());
    m_freeNote->setVisible(m_freeMode->isChecked());
    updateTicks();
    emit selectionChanged();
}

void GpuPanel::updateBusy()
{
    QStringList lines;
    for (int i = 0; i < m_tree->topLevelItemCount(); ++i) {
        const QTreeWidgetItem *item = m_tree->topLevelItem(i);
        const QString others = item->data(IndexColumn, OthersRole).toString();
        if (item->checkState(IndexColumn) == Qt::Checked && !others.isEmpty()) {
            lines << tr("GPU %1 is in use by %2.")
                         .arg(item->data(IndexColumn, DeviceIdRole).toString(), others);
        }
    }
    QString warning;
    if (!lines.isEmpty()) {
        warning = tr("%1 Your container would share %2 with them.")
                      .arg(lines.join(QLatin1Char(' ')),
                           lines.size() == 1 ? tr("that GPU") : tr("those GPUs"));
    }
    m_busy->setText(warning.isEmpty() ? QString() : QStringLiteral("⚠ ") + warning);
    m_busy->setVisible(!warning.isEmpty());
    if (warning != m_busyWarning) {
        m_busyWarning = warning;
        emit busyWarningChanged(warning);
    }
    updateCdi();
}

QString GpuPanel::cdiDeviceOf(const GpuInfo &gpu) const
{
    if (!m_cdiKnown)
        return {};
    for (const QString &id : {QString::number(gpu.index), gpu.uuid}) {
        const QString name = QStringLiteral("nvidia.com/gpu=") + id;
        if (m_cdiNames.contains(name))
            return name;
    }
    return {};
}

void GpuPanel::setCdiDevices(const QStringList &names, bool known)
{
    if (names == m_cdiNames && known == m_cdiKnown)
        return;
    m_cdiNames = names;
    m_cdiKnown = known;
    if (m_haveSnapshot)
        setSnapshot(m_snapshot);
}

void GpuPanel::setCdiLaunch(bool cdi)
{
    if (cdi == m_cdiLaunch)
        return;
    m_cdiLaunch = cdi;
    updateCdi();
}

void GpuPanel::updateCdi()
{
    QStringList lacking;
    if (m_cdiLaunch && m_cdiKnown && m_devicesMode->isChecked()) {
        for (int i = 0; i < m_tree->topLevelItemCount(); ++i) {
            const QTreeWidgetItem *item = m_tree->topLevelItem(i);
            if (item->checkState(IndexColumn) == Qt::Checked
                && item->data(IndexColumn, CdiRole).toString().isEmpty())
                lacking << item->data(IndexColumn, DeviceIdRole).toString();
        }
    }
    QString note;
    if (!lacking.isEmpty()) {
        note =
            tr("⚠ %n GPU(s) (%1) have no CDI device on the engine's host, so a CDI launch would be "
               "refused: untick them, or on that host run sudo nvidia-ctk cdi generate "
               "--output=/etc/cdi/nvidia.yaml.",
               nullptr, int(lacking.size()))
                .arg(lacking.join(QStringLiteral(", ")));
    }
    m_cdiNote->setText(note);
    m_cdiNote->setVisible(!note.isEmpty());
}

void GpuPanel::setIssue(const QString &message)
{
    m_issue->setText(message);
    m_issue->setVisible(!message.isEmpty());
}
