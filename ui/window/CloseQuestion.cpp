#include "window/CloseQuestion.h"

#include "log/LogPage.h"
#include "log/LogView.h"

#include <QAbstractButton>
#include <QMessageBox>
#include <QPushButton>
#include <QTimer>

namespace {

// After Stop Them and Quit, how long the engine has to confirm the stops before the window goes
// anyway (the containers are then left as they are).
constexpr int StopGraceMs = 15000;

} // namespace

CloseQuestion::CloseQuestion(QWidget *window, LogView *logs)
    : QObject(window), m_window(window), m_logs(logs)
{
}

bool CloseQuestion::allowsClose()
{
    if (m_quitting || !m_logs->hasActive())
        return true;
    ask();
    return false;
}

void CloseQuestion::ask()
{
    if (m_box) {
        m_box->raise();
        return;
    }
    int running = 0;
    const QList<LogPage *> pages = m_logs->pages();
    for (const LogPage *page : pages)
        running += page->isActive() && !page->isDetached() && !page->isWaitingForGpus() ? 1 : 0;
    auto *box = new QMessageBox(QMessageBox::Question, tr("Quit GPU Deck"),
                                tr("%n container(s) launched from this window still run.", nullptr,
                                   running),
                                QMessageBox::NoButton, m_window);
    box->setObjectName(QStringLiteral("closeQuestion"));
    box->setInformativeText(tr("Stop them before quitting, or leave them running on the engine "
                               "(docker ps lists them; their output stays in docker logs)."));
    QPushButton *stop = box->addButton(tr("&Stop Them and Quit"), QMessageBox::AcceptRole);
    stop->setObjectName(QStringLiteral("closeStop"));
    QPushButton *leave = box->addButton(tr("&Leave Running and Quit"),
                                        QMessageBox::DestructiveRole);
    leave->setObjectName(QStringLiteral("closeLeave"));
    box->addButton(QMessageBox::Cancel)->setObjectName(QStringLiteral("closeCancel"));
    box->setDefaultButton(stop);
    box->setAttribute(Qt::WA_DeleteOnClose);
    m_box = box;
    connect(box, &QMessageBox::buttonClicked, this, [this, stop, leave](QAbstractButton *clicked) {
        if (clicked == leave) {
            m_quitting = true;
            m_window->close();
        } else if (clicked == stop) {
            // The window goes at once; the process ends once the engine confirms every stop.
            m_quitting = true;
            m_window->hide();
            connect(m_logs, &LogView::activityChanged, this, [this]() {
                if (!m_logs->hasActive())
                    m_window->close();
            });
            QTimer::singleShot(StopGraceMs, m_window, &QWidget::close);
            m_logs->stopAll();
            if (!m_logs->hasActive())
                m_window->close();
        }
    });
    box->open();
}
