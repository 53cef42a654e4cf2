#include "engines/EngineList.h"

#include "fleet/Engine.h"
#include "fleet/EngineRegistry.h"
#include "gpu/GpuSnapshot.h"
#include "widgets/StatusColors.h"

#include <QEvent>
#include <QFontMetrics>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QTreeWidget>
#include <QVBoxLayout>

namespace {

constexpr int kEngineRole = Qt::UserRole + 1;

} // namespace

EngineList::EngineList(QWidget *parent)
    : QWidget(parent),
      m_view(new QTreeWidget(this)),
      m_url(new QLineEdit(this)),
      m_add(new QPushButton(tr("&Add"), this)),
      m_remove(new QPushButton(tr("Remove"), this)),
      m_error(new QLabel(this))
{
    setObjectName(QStringLiteral("engineListWidget"));
    m_view->setObjectName(QStringLiteral("engineList"));
    m_view->setAccessibleName(tr("Engines"));
    m_view->setHeaderLabels({tr("Engine"), tr("State"), tr("Kind"), tr("GPUs")});
    m_view->setRootIsDecorated(false);
    m_view->setUniformRowHeights(true);
    // Long URLs keep their scheme and their socket or port in sight.
    m_view->setTextElideMode(Qt::ElideMiddle);
    // Three rows at least, however small the window: the list is how engines are picked.
    m_view->setMinimumHeight(m_view->fontMetrics().height() * 6);
    m_view->setSelectionMode(QAbstractItemView::SingleSelection);
    // The name is how a row is recognised: it keeps its width (fitColumns) and the kind, whose
    // version is the least needed at a glance, gives way in a narrow window (whole in a tooltip).
    m_view->header()->setStretchLastSection(false);
    m_view->header()->setSectionResizeMode(NameColumn, QHeaderView::Interactive);
    m_view->header()->setSectionResizeMode(StateColumn, QHeaderView::ResizeToContents);
    m_view->header()->setSectionResizeMode(KindColumn, QHeaderView::Stretch);
    m_view->header()->setSectionResizeMode(GpuColumn, QHeaderView::Interactive);
    // fitColumns() makes every row fit the list's width: no horizontal scrolling for the GPUs.
    m_view->setHorizontalScrollBarPolicy(Qt::ScrollBarAlwaysOff);
    m_view->viewport()->installEventFilter(this);

    m_url->setObjectName(QStringLiteral("engineUrlEdit"));
    m_url->setPlaceholderText(tr("ssh://me@gpu1, tcp://gpu1:2376, unix:///run/docker.sock"));
    m_url->setToolTip(tr("Add an engine by its address. Only the address is kept: keys and "
                         "certificates stay with ssh and the docker contexts."));
    m_url->setAccessibleName(tr("Engine address"));
    m_add->setObjectName(QStringLiteral("engineAddButton"));
    m_add->setAutoDefault(false);
    m_remove->setObjectName(QStringLiteral("engineRemoveButton"));
    m_remove->setToolTip(tr("Forget an engine added here"));
    m_remove->setAutoDefault(false);
    m_error->setObjectName(QStringLiteral("engineAddError"));
    m_error->setWordWrap(true);
    m_error->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_error->hide();

    auto *addRow = new QHBoxLayout;
    addRow->setContentsMargins(0, 0, 0, 0);
    addRow->addWidget(m_url, 1);
    addRow->addWidget(m_add);
    addRow->addWidget(m_remove);
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(m_view, 1);
    layout->addLayout(addRow);
    layout->addWidget(m_error);

    connect(m_view, &QTreeWidget::currentItemChanged, this,
            [this](QTreeWidgetItem *item) { onCurrentItemChanged(item); });
    connect(m_add, &QPushButton::clicked, this, &EngineList::addFromField);
    connect(m_url, &QLineEdit::returnPressed, this, &EngineList::addFromField);
    connect(m_url, &QLineEdit::textChanged, this, [this]() {
        m_error->hide();
        updateButtons();
    });
    connect(m_remove, &QPushButton::clicked, this, &EngineList::removeCurrent);
    updateButtons();
}

void EngineList::setRegistry(EngineRegistry *registry)
{
    m_registry = registry;
    const QList<Engine *> engines = registry->engines();
    for (Engine *engine : engines)
        addRow(engine);
    connect(registry, &EngineRegistry::engineAdded, this, &EngineList::addRow);
    connect(registry, &EngineRegistry::engineRemoved, this, &EngineList::removeRow);
}

void EngineList::addRow(Engine *engine)
{
    if (m_items.contains(engine))
        return;
    auto *item = new QTreeWidgetItem(m_view);
    item->setData(NameColumn, kEngineRole, QVariant::fromValue(static_cast<QObject *>(engine)));
    m_items.insert(engine, item);
    // The engine is the context: its signals end with it.
    connect(engine, &Engine::stateChanged, this, [this, engine]() { updateRow(engine); });
    connect(engine, &Engine::infoChanged, this, [this, engine]() { updateRow(engine); });
    connect(engine, &Engine::gpusChanged, this, [this, engine]() { updateRow(engine); });
    connect(engine, &QObject::destroyed, this, [this, engine]() { removeRow(engine); });
    updateRow(engine);
}

void EngineList::removeRow(Engine *engine)
{
    QTreeWidgetItem *item = m_items.take(engine);
    if (!item)
        return;
    engine->disconnect(this);
    const QSignalBlocker block(m_view);
    delete item;
    updateButtons();
}

int EngineList::rowCount() const
{
    return m_view->topLevelItemCount();
}

QString EngineList::stateText(const Engine *engine)
{
    switch (engine->state()) {
    case Engine::State::Connecting: return tr("connecting");
    case Engine::State::Connected:
        return engine->endpoint() && engine->endpoint()->isInsecure() ? tr("connected, not secure")
                                                                      : tr("connected");
    case Engine::State::Down: break;
    }
    return tr("down: %1").arg(engine->error().message());
}

QString EngineList::gpuText(const Engine *engine)
{
    if (!engine->gpusKnown())
        return {};
    const GpuSnapshot snapshot = engine->gpus();
    if (!snapshot.ok())
        return engine->gpuMonitor() ? tr("no GPUs") : tr("unknown");
    if (snapshot.gpus.isEmpty())
        return tr("no GPUs");
    const int busy = int(std::count_if(snapshot.gpus.cbegin(), snapshot.gpus.cend(),
                                       [](const GpuInfo &gpu) { return !gpu.isFree(); }));
    const int count = int(snapshot.gpus.size());
    return (count == 1 ? tr("1 GPU") : tr("%1 GPUs").arg(count)) + QStringLiteral(" · ")
           + tr("%1 busy").arg(busy);
}

void EngineList::updateRow(Engine *engine)
{
    QTreeWidgetItem *item = m_items.value(engine);
    if (!item)
        return;
    const QString name = engine->source() == QLatin1String("context")
                                 || engine->source() == QLatin1String("default")
                             ? engine->name()
                             : QStringLiteral("%1 (%2)").arg(engine->name(), engine->source());
    item->setText(NameColumn, name);
    item->setToolTip(NameColumn, engine->url());
    const QString state = stateText(engine);
    item->setText(StateColumn, engine->state() == Engine::State::Down ? tr("down") : state);
    item->setData(StateColumn, Qt::AccessibleTextRole, state);
    const StatusColors::Tone tone = engine->state() == Engine::State::Down
                                        ? StatusColors::Tone::Error
                                    : engine->state() == Engine::State::Connected
                                        ? StatusColors::Tone::Ok
                                        : StatusColors::Tone::Warning;
    item->setForeground(StateColumn, StatusColors::text(tone, m_view->palette()));
    item->setText(KindColumn, engine->productName());
    item->setToolTip(KindColumn, engine->productName());
    item->setText(GpuColumn, gpuText(engine));
    item->setToolTip(GpuColumn,
                     engine->gpus().ok() ? gpuText(engine) : engine->gpus().error.message());
    item->setToolTip(StateColumn,
                     QStringLiteral("%1\n%2").arg(state, engine->productName()).trimmed());
    fitColumns();
}

bool EngineList::eventFilter(QObject *watched, QEvent *event)
{
    if (watched == m_view->viewport() && event->type() == QEvent::Resize)
        fitColumns();
    return QWidget::eventFilter(watched, event);
}

void EngineList::fitColumns()
{
    const QFontMetrics metrics = m_view->fontMetrics();
    QHeaderView *header = m_view->header();
    int widest = metrics.horizontalAdvance(m_view->headerItem()->text(NameColumn));
    for (int i = 0; i < m_view->topLevelItemCount(); ++i)
        widest = qMax(widest, metrics.horizontalAdvance(m_view->topLevelItem(i)->text(NameColumn)));
    // Long URLs are elided in the middle past this width; the tooltip has them whole.
    const int padding = metrics.horizontalAdvance(QStringLiteral("MM"));
    const int x = metrics.horizontalAdvance(QLatin1Char('x'));
    int name = qMin(widest + padding, x * 20);
    int gpuWidest = metrics.horizontalAdvance(m_view->headerItem()->text(GpuColumn));
    for (int i = 0; i < m_view->topLevelItemCount(); ++i)
        gpuWidest = qMax(gpuWidest,
                         metrics.horizontalAdvance(m_view->topLevelItem(i)->text(GpuColumn)));
    int gpu = gpuWidest + padding;
    // In a narrow list the name gives way down to ten characters, then the GPU text (elided,
    // whole in its tooltip), so that no row needs a horizontal scroll.
    const int width = m_view->viewport()->width() - header->sectionSize(StateColumn);
    if (name + gpu > width) {
        name = qMax(x * 10, width - gpu);
        gpu = qMax(metrics.horizontalAdvance(QStringLiteral("8 GPUs")) + padding, width - name);
    }
    if (header->sectionSize(NameColumn) != name)
        header->resizeSection(NameColumn, name);
    if (header->sectionSize(GpuColumn) != gpu)
        header->resizeSection(GpuColumn, gpu);
    // Too narrow for the kind as well: it goes (the state's tooltip has it).
    const int kind = metrics.horizontalAdvance(QStringLiteral("Docker 20.10")) + padding;
    header->setSectionHidden(KindColumn, width < name + gpu + kind);
}

QString EngineList::rowText(const Engine *engine, Column column) const
{
    const QTreeWidgetItem *item = m_items.value(engine);
    if (!item)
        return {};
    if (column == StateColumn)
        return item->data(StateColumn, Qt::AccessibleTextRole).toString(); // the whole state
    return item->text(column);
}

Engine *EngineList::current() const
{
    return m_current;
}

void EngineList::setCurrent(Engine *engine)
{
    m_current = engine;
    QTreeWidgetItem *item = m_items.value(engine);
    const QSignalBlocker block(m_view);
    m_view->setCurrentItem(item);
    updateButtons();
}

void EngineList::onCurrentItemChanged(QTreeWidgetItem *item)
{
    updateButtons();
    if (!item)
        return;
    auto *engine = qobject_cast<Engine *>(item->data(NameColumn, kEngineRole).value<QObject *>());
    if (!engine || engine == m_current)
        return;
    m_current = engine;
    updateButtons();
    emit engineSelected(engine);
}

void EngineList::addFromField()
{
    if (!m_registry)
        return;
    const Result<Engine *> added = m_registry->add(m_url->text());
    if (!added) {
        m_error->setText(added.error().message());
        m_error->setStyleSheet(StatusColors::styleSheet(StatusColors::Tone::Error, m_error));
        m_error->show();
        return;
    }
    m_url->clear();
    m_error->hide();
    m_view->setCurrentItem(m_items.value(added.value()));
}

void EngineList::removeCurrent()
{
    if (!m_registry || !m_current)
        return;
    Engine *engine = m_current;
    const Result<void> removed = m_registry->remove(engine);
    if (!removed) {
        m_error->setText(removed.error().message());
        m_error->setStyleSheet(StatusColors::styleSheet(StatusColors::Tone::Error, m_error));
        m_error->show();
    }
}

void EngineList::updateButtons()
{
    m_add->setEnabled(!m_url->text().trimmed().isEmpty());
    const Engine *engine = m_current;
    m_remove->setEnabled(engine
                         && (engine->source() == QLatin1String("added")
                             || engine->source() == QLatin1String("preset")));
}
