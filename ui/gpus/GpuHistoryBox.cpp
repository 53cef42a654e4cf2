#include "gpus/GpuHistoryBox.h"

#include "gpu/GpuSnapshot.h"
#include "gpus/GpuAlerts.h"
#include "gpus/HistoryPlot.h"

#include <QComboBox>
#include <QDir>
#include <QHBoxLayout>
#include <QLabel>
#include <QMenu>
#include <QPushButton>
#include <QToolButton>
#include <QVBoxLayout>

namespace {

constexpr int kAlertLinesShown = 3;

} // namespace

GpuHistoryBox::GpuHistoryBox(QWidget *parent)
    : QWidget(parent),
      m_span(new QComboBox(this)),
      m_plot(new HistoryPlot(this)),
      m_alerts(new GpuAlerts(this)),
      m_alertLog(new QLabel(this)),
      m_csvNote(new QLabel(this)),
      m_stopOffer(new QPushButton(this))
{
    m_span->setObjectName(QStringLiteral("gpuHistorySpan"));
    m_span->setAccessibleName(tr("History span"));
    for (int minutes : {1, 10, 60})
        m_span->addItem(minutes == 1 ? tr("Last minute") : tr("Last %1 minutes").arg(minutes),
                        minutes);
    m_span->setCurrentIndex(1);
    m_plot->setSpanMinutes(10);
    auto *row = new QHBoxLayout;
    row->addWidget(new QLabel(tr("History of the selected GPU:"), this));
    row->addWidget(m_span);
    row->addStretch(1);
    auto *alertButton = new QToolButton(this);
    alertButton->setObjectName(QStringLiteral("gpuAlertSwitches"));
    alertButton->setText(tr("Alerts"));
    alertButton->setPopupMode(QToolButton::InstantPopup);
    auto *alertMenu = new QMenu(alertButton);
    m_alerts->fillMenu(alertMenu);
    alertButton->setMenu(alertMenu);
    row->addWidget(alertButton);

    m_alertLog->setObjectName(QStringLiteral("gpuAlertLog"));
    m_alertLog->setAccessibleName(tr("GPU alerts"));
    m_alertLog->setWordWrap(true);
    m_alertLog->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_alertLog->hide();
    m_csvNote->setObjectName(QStringLiteral("gpuCsvNote"));
    m_csvNote->setWordWrap(true);
    m_csvNote->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_csvNote->hide();
    m_stopOffer->setObjectName(QStringLiteral("idleStopButton"));
    m_stopOffer->hide();

    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addLayout(row);
    layout->addWidget(m_plot);
    layout->addWidget(m_csvNote);
    auto *alertRow = new QHBoxLayout;
    alertRow->addWidget(m_alertLog, 1);
    alertRow->addWidget(m_stopOffer, 0, Qt::AlignTop);
    layout->addLayout(alertRow);

    connect(m_alerts, &GpuAlerts::logged, this, [this](const QString &line) {
        m_alertLines << line;
        while (m_alertLines.size() > kAlertLinesShown)
            m_alertLines.removeFirst();
        m_alertLog->setText(m_alertLines.join(QLatin1Char('\n')));
        m_alertLog->show();
    });
    connect(m_alerts, &GpuAlerts::stopOffered, this,
            [this](const QString &id, const QString &name) {
                m_stopId = id;
                m_stopName = name.isEmpty() ? id.left(12) : name;
                m_stopOffer->setText(tr("Stop %1").arg(m_stopName));
                m_stopOffer->setToolTip(
                    tr("Stop the container %1 to free its GPUs (SIGTERM, then a kill after 10 s)")
                        .arg(m_stopName));
                m_stopOffer->show();
            });
    connect(m_stopOffer, &QPushButton::clicked, this, [this]() {
        m_stopOffer->hide();
        emit stopRequested(m_stopId, m_stopName);
    });
    connect(m_plot, &HistoryPlot::csvSaved, this,
            [this](const QString &path, const QString &error) {
                m_csvNote->setText(
                    error.isEmpty()
                        ? tr("Saved the GPU history to %1.").arg(QDir::toNativeSeparators(path))
                        : error);
                m_csvNote->show();
            });
    connect(m_span, &QComboBox::currentIndexChanged, this,
            [this]() { m_plot->setSpanMinutes(m_span->currentData().toInt()); });
}

void GpuHistoryBox::setHistory(const GpuHistory *history, QObject *owner)
{
    m_plot->setHistory(history, owner);
}

void GpuHistoryBox::showGpu(const QString &uuid)
{
    m_plot->setGpu(uuid);
}

void GpuHistoryBox::refresh(const QString &firstGpu)
{
    if (m_plot->gpu().isEmpty() && !firstGpu.isEmpty())
        m_plot->setGpu(firstGpu);
    else
        m_plot->refresh();
}

void GpuHistoryBox::checkAlerts(const GpuSnapshot &snapshot)
{
    m_alerts->check(snapshot);
}
