#include "doctor/DoctorDialog.h"

#include "engine/DockerClient.h"
#include "widgets/Icons.h"
#include "widgets/StatusColors.h"

#include <QApplication>
#include <QClipboard>
#include <QDialogButtonBox>
#include <QFontDatabase>
#include <QGridLayout>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QScrollArea>
#include <QTimer>
#include <QToolButton>
#include <QVBoxLayout>

namespace {

QString iconName(Doctor::Status status)
{
    switch (status) {
    case Doctor::Status::Pass: return QStringLiteral("state-ok");
    case Doctor::Status::Fail: return QStringLiteral("state-failed");
    case Doctor::Status::Warn: return QStringLiteral("busy");
    case Doctor::Status::Skip: return QStringLiteral("state-stopped");
    case Doctor::Status::Pending: break;
    }
    return QStringLiteral("state-running");
}

} // namespace

DoctorDialog::DoctorDialog(DockerClient *client, GpuInventory *inventory,
                           const QList<LaunchSpec> &presets, QWidget *parent)
    : QDialog(parent),
      m_client(client),
      m_inventory(inventory),
      m_presets(presets),
      m_reason(new QLabel(this)),
      m_summary(new QLabel(this)),
      m_list(new QWidget(this)),
      m_rows(new QVBoxLayout(m_list))
{
    setObjectName(QStringLiteral("doctorDialog"));
    setWindowTitle(tr("GPU Readiness"));
    setAttribute(Qt::WA_DeleteOnClose);
    m_reason->setObjectName(QStringLiteral("doctorReason"));
    m_summary->setObjectName(QStringLiteral("doctorSummary"));
    m_reason->setWordWrap(true);
    m_reason->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_reason->setStyleSheet(StatusColors::styleSheet(StatusColors::Tone::Error, m_reason));
    m_reason->hide();
    m_summary->setWordWrap(true);

    m_rows->setContentsMargins(0, 0, 0, 0);
    m_rows->setSpacing(10);
    auto *scroll = new QScrollArea(this);
    scroll->setWidgetResizable(true);
    scroll->setFrameShape(QFrame::NoFrame);
    scroll->setWidget(m_list);

    auto *buttons = new QDialogButtonBox(QDialogButtonBox::Close, this);
    m_again = buttons->addButton(tr("Check &Again"), QDialogButtonBox::ActionRole);
    m_again->setObjectName(QStringLiteral("doctorAgain"));
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
    connect(m_again, &QPushButton::clicked, this, &DoctorDialog::run);

    auto *layout = new QVBoxLayout(this);
    layout->addWidget(m_reason);
    layout->addWidget(m_summary);
    layout->addWidget(scroll, 1);
    layout->addWidget(buttons);
    resize(760, 560);
}

void DoctorDialog::setReason(const QString &reason)
{
    m_reason->setText(reason);
    m_reason->setVisible(!reason.isEmpty());
}

void DoctorDialog::run()
{
    if (m_doctor)
        m_doctor->deleteLater();
    m_doctor = new Doctor(m_client, m_inventory, this);
    connect(m_doctor, &Doctor::checkChanged, this, &DoctorDialog::rebuild);
    connect(m_doctor, &Doctor::finished, this, &DoctorDialog::rebuild);
    m_again->setEnabled(false);
    m_doctor->run(m_presets);
    rebuild();
}

// The list is short (six checks): rebuilding it is simpler than patching rows in place.
void DoctorDialog::rebuild()
{
    while (QLayoutItem *item = m_rows->takeAt(0)) {
        delete item->widget();
        delete item;
    }
    for (const Doctor::Check &check : m_doctor->checks())
        m_rows->addWidget(row(check));
    m_rows->addStretch(1);

    int failed = 0;
    for (const Doctor::Check &check : m_doctor->checks())
        failed += check.status == Doctor::Status::Fail ? 1 : 0;
    if (!m_doctor->isFinished())
        m_summary->setText(tr("Checking %1…").arg(m_client->endpoint().url));
    else if (failed == 0)
        m_summary->setText(tr("<b>Containers on this engine can use the GPUs.</b>"));
    else
        m_summary->setText(failed == 1
                               ? tr("<b>1 check failed.</b> Its fix is below.")
                               : tr("<b>%1 checks failed.</b> Their fixes are below.").arg(failed));
    m_again->setEnabled(m_doctor->isFinished());
}

QWidget *DoctorDialog::row(const Doctor::Check &check)
{
    auto *widget = new QWidget(m_list);
    widget->setObjectName(QStringLiteral("doctorCheck_") + check.id);
    widget->setProperty("status", Doctor::statusName(check.status));
    auto *grid = new QGridLayout(widget);
    grid->setContentsMargins(0, 0, 0, 0);
    grid->setColumnStretch(1, 1);

    auto *icon = new QLabel(widget);
    icon->setPixmap(Icons::get(iconName(check.status)).pixmap(18, 18));
    icon->setToolTip(Doctor::statusName(check.status));
    grid->addWidget(icon, 0, 0, Qt::AlignTop);

    const QString status = check.status == Doctor::Status::Pending
                               ? tr("checking…")
                               : Doctor::statusName(check.status).toUpper();
    auto *title = new QLabel(
        QStringLiteral("<b>%1</b> — %2").arg(check.title.toHtmlEscaped(), status), widget);
    title->setObjectName(QStringLiteral("title"));
    grid->addWidget(title, 0, 1);

    int line = 1;
    if (!check.detail.isEmpty()) {
        auto *detail = new QLabel(check.detail, widget);
        detail->setObjectName(QStringLiteral("detail"));
        detail->setWordWrap(true);
        detail->setTextInteractionFlags(Qt::TextSelectableByMouse);
        detail->setTextFormat(Qt::PlainText);
        grid->addWidget(detail, line++, 1);
    }
    const bool failing = check.status == Doctor::Status::Fail
                         || check.status == Doctor::Status::Warn;
    if (failing && !check.fix.isEmpty()) {
        auto *fix = new QLabel(tr("Fix: %1").arg(check.fix), widget);
        fix->setObjectName(QStringLiteral("fix"));
        fix->setWordWrap(true);
        fix->setTextFormat(Qt::PlainText);
        fix->setTextInteractionFlags(Qt::TextSelectableByMouse);
        fix->setStyleSheet(StatusColors::styleSheet(check.status == Doctor::Status::Fail
                                                        ? StatusColors::Tone::Error
                                                        : StatusColors::Tone::Warning,
                                                    fix));
        grid->addWidget(fix, line++, 1);
    }
    if (failing && !check.command.isEmpty()) {
        auto *commandRow = new QHBoxLayout;
        auto *command = new QLineEdit(check.command, widget);
        command->setObjectName(QStringLiteral("command"));
        command->setReadOnly(true);
        command->setFont(QFontDatabase::systemFont(QFontDatabase::FixedFont));
        command->setCursorPosition(0);
        auto *copy = new QToolButton(widget);
        copy->setObjectName(QStringLiteral("doctorCopy_") + check.id);
        copy->setText(tr("Copy"));
        copy->setToolTip(tr("Copy the command to the clipboard"));
        const QString text = check.command;
        connect(copy, &QToolButton::clicked, copy, [copy, text]() {
            QApplication::clipboard()->setText(text);
            copy->setText(tr("Copied"));
            QTimer::singleShot(1200, copy, [copy]() { copy->setText(tr("Copy")); });
        });
        commandRow->addWidget(command, 1);
        commandRow->addWidget(copy);
        grid->addLayout(commandRow, line++, 1);
    }
    return widget;
}
