#include "gpus/GpuAlerts.h"

#include "widgets/Icons.h"

#include <QDateTime>
#include <QHBoxLayout>
#include <QLabel>
#include <QMenu>
#include <QSettings>
#include <QSpinBox>
#include <QSystemTrayIcon>
#include <QWidgetAction>

#include <functional>

GpuAlerts::GpuAlerts(QObject *parent) : QObject(parent)
{
    load();
}

void GpuAlerts::load()
{
    QSettings s;
    s.beginGroup(QStringLiteral("alerts"));
    AlertRules::Settings r;
    r.gpuFree = s.value(QStringLiteral("gpuFree"), true).toBool();
    r.idleContainer = s.value(QStringLiteral("idleContainer"), true).toBool();
    r.idleMinutes = qBound(kMinIdleMinutes, s.value(QStringLiteral("idleMinutes"), 30).toInt(),
                           kMaxIdleMinutes);
    r.hardware = s.value(QStringLiteral("hardware"), true).toBool();
    r.launchFinished = s.value(QStringLiteral("launchFinished"), true).toBool();
    m_rules.setSettings(r);
    m_desktop = s.value(QStringLiteral("desktop"), true).toBool();
    m_log = s.value(QStringLiteral("log"), true).toBool();
}

void GpuAlerts::save() const
{
    QSettings s;
    s.beginGroup(QStringLiteral("alerts"));
    const AlertRules::Settings &r = m_rules.settings();
    s.setValue(QStringLiteral("gpuFree"), r.gpuFree);
    s.setValue(QStringLiteral("idleContainer"), r.idleContainer);
    s.setValue(QStringLiteral("idleMinutes"), r.idleMinutes);
    s.setValue(QStringLiteral("hardware"), r.hardware);
    s.setValue(QStringLiteral("launchFinished"), r.launchFinished);
    s.setValue(QStringLiteral("desktop"), m_desktop);
    s.setValue(QStringLiteral("log"), m_log);
}

void GpuAlerts::check(const GpuSnapshot &snapshot)
{
    const QList<GpuAlert> alerts = m_rules.check(snapshot);
    for (const GpuAlert &a : alerts)
        tell(a);
}

void GpuAlerts::launchFinished(const QString &name, std::optional<qint64> exitCode,
                               qint64 durationMs, bool windowInFront)
{
    if (const std::optional<GpuAlert> a = m_rules.launchFinished(
            name, exitCode, durationMs, windowInFront, QDateTime::currentMSecsSinceEpoch()))
        tell(*a);
}

void GpuAlerts::setIdleMinutes(int minutes)
{
    AlertRules::Settings s = m_rules.settings();
    s.idleMinutes = qBound(kMinIdleMinutes, minutes, kMaxIdleMinutes);
    m_rules.setSettings(s);
    save();
}

void GpuAlerts::tell(const GpuAlert &a)
{
    if (a.kind == GpuAlert::Kind::IdleContainer && !a.containerId.isEmpty())
        emit stopOffered(a.containerId, a.containerName);
    if (m_log) {
        const QString when = QDateTime::fromMSecsSinceEpoch(a.msecs).toLocalTime().toString(
            QStringLiteral("HH:mm:ss"));
        emit logged(QStringLiteral("%1  %2").arg(when, a.text));
    }
    if (m_desktop && QSystemTrayIcon::isSystemTrayAvailable()) {
        if (!m_tray) {
            m_tray = new QSystemTrayIcon(Icons::get(QStringLiteral("gpu")), this);
            m_tray->show();
        }
        m_tray->showMessage(tr("GPU Deck"), a.text);
    }
}

void GpuAlerts::fillMenu(QMenu *menu)
{
    const auto add = [&](const QString &text, bool on, const std::function<void(bool)> &set) {
        QAction *action = menu->addAction(text);
        action->setCheckable(true);
        action->setChecked(on);
        connect(action, &QAction::toggled, this, [this, set](bool checked) {
            set(checked);
            save();
        });
    };
    AlertRules::Settings r = m_rules.settings();
    add(tr("Desktop notifications"), m_desktop, [this](bool on) { m_desktop = on; });
    add(tr("Alert lines in the window"), m_log, [this](bool on) { m_log = on; });
    menu->addSeparator();
    add(tr("A launch finished while the window is not in front"), r.launchFinished,
        [this](bool on) {
            AlertRules::Settings s = m_rules.settings();
            s.launchFinished = on;
            m_rules.setSettings(s);
        });
    add(tr("A busy GPU became free"), r.gpuFree, [this](bool on) {
        AlertRules::Settings s = m_rules.settings();
        s.gpuFree = on;
        m_rules.setSettings(s);
    });
    add(tr("A container idles on its GPUs (0 %) for the minutes below"), r.idleContainer,
        [this](bool on) {
            AlertRules::Settings s = m_rules.settings();
            s.idleContainer = on;
            m_rules.setSettings(s);
        });
    // The minutes in the menu itself: a spin box row, kept in QSettings as the switches are.
    auto *row = new QWidget(menu);
    auto *layout = new QHBoxLayout(row);
    layout->setContentsMargins(24, 2, 8, 2);
    auto *label = new QLabel(tr("Idle for"), row);
    auto *spin = new QSpinBox(row);
    spin->setObjectName(QStringLiteral("idleMinutesSpin"));
    spin->setAccessibleName(tr("Minutes a container may idle on its GPUs before the alert"));
    spin->setRange(kMinIdleMinutes, kMaxIdleMinutes);
    spin->setSuffix(tr(" min"));
    spin->setValue(r.idleMinutes);
    label->setBuddy(spin);
    layout->addWidget(label);
    layout->addWidget(spin, 1);
    auto *spinAction = new QWidgetAction(menu);
    spinAction->setDefaultWidget(row);
    menu->addAction(spinAction);
    connect(spin, &QSpinBox::valueChanged, this, &GpuAlerts::setIdleMinutes);
    add(tr("XID errors, ECC errors and throttling"), r.hardware, [this](bool on) {
        AlertRules::Settings s = m_rules.settings();
        s.hardware = on;
        m_rules.setSettings(s);
    });
}
