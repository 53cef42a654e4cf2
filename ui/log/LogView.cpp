#include "log/LogView.h"

#include "gpu/GpuMonitor.h"

#include "launch/Launcher.h"
#include "log/AttachLogPage.h"
#include "log/ContainerLogPage.h"
#include "log/FindBar.h"
#include "log/FollowLogPage.h"
#include "log/LaunchRun.h"
#include "log/LogPage.h"
#include "log/SwarmLogPage.h"
#include "terminal/TerminalView.h"
#include "widgets/Icons.h"

#include <QFileDialog>
#include <QHBoxLayout>
#include <QIcon>
#include <QLabel>
#include <QMessageBox>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QStackedWidget>
#include <QTabBar>
#include <QTabWidget>
#include <QToolButton>
#include <QVBoxLayout>

namespace {

QToolButton *toolButton(QWidget *parent, const char *name, const QString &icon, const QString &text,
                        const QString &tip)
{
    auto *button = new QToolButton(parent);
    button->setObjectName(QLatin1String(name));
    button->setIcon(Icons::get(icon));
    button->setText(text);
    button->setToolTip(tip);
    button->setToolButtonStyle(Qt::ToolButtonTextBesideIcon);
    button->setAutoRaise(true);
    return button;
}

} // namespace

LogView::LogView(QWidget *parent)
    : QWidget(parent),
      m_stack(new QStackedWidget(this)),
      m_placeholder(new QLabel(this)),
      m_tabs(new QTabWidget(this)),
      m_findBar(new FindBar(this))
{
    setObjectName(QStringLiteral("logView"));
    m_tabs->setObjectName(QStringLiteral("logTabs"));
    m_tabs->setAccessibleName(tr("Container logs"));
    m_tabs->setTabsClosable(true);
    m_tabs->setMovable(true);
    m_tabs->setDocumentMode(true);
    m_tabs->tabBar()->setElideMode(Qt::ElideMiddle);

    m_placeholder->setObjectName(QStringLiteral("logPlaceholder"));
    m_placeholder->setAlignment(Qt::AlignCenter);
    m_placeholder->setWordWrap(true);
    m_placeholder->setEnabled(false);
    m_placeholder->setText(
        tr("The output of each container you launch appears here, one tab per "
           "container.\nPick an image, tick GPUs and press Launch (Ctrl+Return)."));

    auto *corner = new QWidget(this);
    auto *cornerLayout = new QHBoxLayout(corner);
    cornerLayout->setContentsMargins(0, 0, 0, 0);
    cornerLayout->setSpacing(2);
    m_follow = toolButton(corner, "followButton", QStringLiteral("follow"), tr("Follow"),
                          tr("Keep the newest output in view; scrolling up pauses this"));
    m_follow->setCheckable(true);
    m_findButton = toolButton(corner, "findButton", QStringLiteral("find"), tr("Find"),
                              tr("Find in the log (Ctrl+F)"));
    m_save = toolButton(corner, "saveButton", QStringLiteral("save"), tr("Save…"),
                        tr("Save the log shown to a file"));
    m_clear = toolButton(corner, "clearButton", QStringLiteral("clear"), tr("Clear"),
                         tr("Clear this log"));
    for (QToolButton *button : {m_follow, m_findButton, m_save, m_clear})
        cornerLayout->addWidget(button);
    m_tabs->setCornerWidget(corner, Qt::TopRightCorner);

    m_stack->addWidget(m_placeholder);
    m_stack->addWidget(m_tabs);
    m_findBar->hide();

    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->setSpacing(0);
    layout->addWidget(m_stack, 1);
    layout->addWidget(m_findBar);

    connect(m_tabs, &QTabWidget::tabCloseRequested, this, &LogView::closeTab);
    connect(m_tabs, &QTabWidget::currentChanged, this, [this]() {
        updateButtons();
        emit currentStateChanged();
    });
    connect(m_follow, &QToolButton::clicked, this, [this](bool on) {
        if (LogPage *page = currentPage())
            page->setFollow(on);
    });
    connect(m_findButton, &QToolButton::clicked, this, &LogView::showFind);
    connect(m_save, &QToolButton::clicked, this, &LogView::saveCurrent);
    connect(m_clear, &QToolButton::clicked, this, &LogView::clearCurrent);
    connect(m_findBar, &FindBar::findRequested, this, &LogView::find);
    connect(m_findBar, &FindBar::closed, this, [this]() {
        if (LogPage *page = currentPage())
            page->textEdit()->setFocus();
    });
    updateButtons();
}

LogPage *LogView::launch(DockerClient *client, const LaunchSpec &spec, GpuInventory *hostGpus,
                         const QString &engineName)
{
    auto *page = new ContainerLogPage(client, spec, m_tabs);
    page->launcher()->setGpuInventory(hostGpus);
    add(page, engineName);
    return page;
}

LogPage *LogView::launchOnSwarm(DockerClient *client, const LaunchSpec &spec, int replicas,
                                const QString &engineName)
{
    auto *page = new SwarmLogPage(client, spec, replicas, m_tabs);
    add(page, engineName);
    return page;
}

LogPage *LogView::follow(DockerClient *client, const QString &id, const QString &name, bool tty,
                         const QString &engineName)
{
    if (LogPage *page = pageOf(id); page && page->isActive()) {
        m_stack->setCurrentWidget(m_tabs);
        m_tabs->setCurrentWidget(page);
        return page;
    }
    auto *page = new FollowLogPage(client, id, name, tty, m_tabs);
    add(page, engineName);
    return page;
}

LogPage *LogView::attach(DockerClient *client, const QString &id, const QString &name,
                         const QString &engineName)
{
    const QList<LogPage *> all = pages();
    for (LogPage *page : all) {
        if (page->run()->id() == id && page->isActive() && page->terminal()) {
            m_stack->setCurrentWidget(m_tabs);
            m_tabs->setCurrentWidget(page);
            return page;
        }
    }
    auto *page = new AttachLogPage(client, id, name, m_tabs);
    add(page, engineName);
    page->terminal()->setFocus();
    return page;
}

LogPage *LogView::pageOf(const QString &id) const
{
    if (id.isEmpty())
        return nullptr;
    LogPage *ended = nullptr;
    const QList<LogPage *> all = pages();
    for (LogPage *page : all) {
        if (page->run()->id() != id)
            continue;
        if (page->isActive())
            return page;
        ended = ended ? ended : page;
    }
    return ended;
}

void LogView::add(LogPage *page, const QString &engineName)
{
    page->setEngineName(engineName);
    page->showGpuUse(m_monitor);
    const int index = m_tabs->addTab(page, page->title());
    connect(page, &LogPage::statusChanged, this, [this, page]() {
        updateTab(page);
        if (page == currentPage()) {
            updateButtons();
            emit currentStateChanged();
        }
        emit activityChanged();
    });
    connect(page, &LogPage::followChanged, this, [this, page](bool follow) {
        if (page == currentPage())
            m_follow->setChecked(follow);
    });
    m_stack->setCurrentWidget(m_tabs);
    m_tabs->setCurrentIndex(index);
    page->start();
    updateTab(page);
    updateButtons();
}

LogPage *LogView::currentPage() const
{
    return qobject_cast<LogPage *>(m_tabs->currentWidget());
}

QList<LogPage *> LogView::pages() const
{
    QList<LogPage *> result;
    for (int i = 0; i < m_tabs->count(); ++i) {
        if (auto *page = qobject_cast<LogPage *>(m_tabs->widget(i)))
            result.append(page);
    }
    return result;
}

int LogView::count() const
{
    return m_tabs->count();
}

bool LogView::hasActive() const
{
    const QList<LogPage *> all = findChildren<LogPage *>();
    return std::any_of(all.cbegin(), all.cend(), [](const LogPage *page) {
        return page->isActive() && !page->isDetached() && !page->isWaitingForGpus();
    });
}

void LogView::updateTab(LogPage *page)
{
    const int index = m_tabs->indexOf(page);
    if (index < 0)
        return;
    m_tabs->setTabText(index, page->title());
    m_tabs->setTabToolTip(index, page->statusText());
    const Launcher::State state = page->state();
    QString icon = QStringLiteral("state-running");
    if (state == Launcher::State::Exited)
        icon = page->exitCode().value_or(-1) == 0 ? QStringLiteral("state-ok")
                                                  : QStringLiteral("state-failed");
    else if (state == Launcher::State::Failed)
        icon = QStringLiteral("state-failed");
    else if (state == Launcher::State::Cancelled)
        icon = QStringLiteral("state-stopped");
    m_tabs->setTabIcon(index, Icons::get(icon));
}

void LogView::updateButtons()
{
    LogPage *page = currentPage();
    for (QToolButton *button : {m_follow, m_findButton, m_save, m_clear})
        button->setEnabled(page != nullptr);
    m_follow->setChecked(page && page->follows());
    if (!page)
        m_stack->setCurrentWidget(m_placeholder);
}

void LogView::closeTab(int index)
{
    auto *page = qobject_cast<LogPage *>(m_tabs->widget(index));
    if (!page)
        return;
    if (page->terminal() && page->isRunning()) {
        askClose(page);
        return;
    }
    removePage(page, Ending::Close);
}

QMessageBox *LogView::closeQuestion() const
{
    return m_closeQuestion;
}

void LogView::askClose(LogPage *page)
{
    if (m_closeQuestion && m_closeQuestion->isVisible()) {
        m_closeQuestion->raise();
        return;
    }
    const QString name = page->spec().containerName.isEmpty() ? page->run()->id().left(12)
                                                              : page->spec().containerName;
    auto *box = new QMessageBox(QMessageBox::Question, tr("Close the terminal"),
                                tr("%1 is still running.").arg(name), QMessageBox::NoButton, this);
    box->setObjectName(QStringLiteral("closeTerminalQuestion"));
    box->setInformativeText(tr("Detach leaves it running: Attach in the Containers view brings "
                               "its terminal back. Stop ends it."));
    QPushButton *detach = box->addButton(tr("&Detach"), QMessageBox::AcceptRole);
    detach->setObjectName(QStringLiteral("terminalDetach"));
    QPushButton *stop = box->addButton(tr("&Stop"), QMessageBox::DestructiveRole);
    stop->setObjectName(QStringLiteral("terminalStop"));
    box->addButton(QMessageBox::Cancel)->setObjectName(QStringLiteral("terminalCancel"));
    box->setDefaultButton(detach);
    box->setAttribute(Qt::WA_DeleteOnClose);
    m_closeQuestion = box;
    const QPointer<LogPage> target(page);
    connect(box, &QMessageBox::buttonClicked, this,
            [this, target, detach, stop](QAbstractButton *clicked) {
                m_closeQuestion.clear(); // answered: the next close asks again
                if (!target || m_tabs->indexOf(target) < 0)
                    return;
                if (clicked == detach)
                    removePage(target, Ending::Detach);
                else if (clicked == stop)
                    removePage(target, Ending::Stop);
            });
    box->open();
}

void LogView::removePage(LogPage *page, Ending how)
{
    const int index = m_tabs->indexOf(page);
    if (index >= 0)
        m_tabs->removeTab(index);
    const bool letGo = how == Ending::Detach || (how == Ending::Close && page->isDetached());
    if (page->isActive() && letGo) {
        // Stops following, or ends the attach; the container runs on.
        if (how == Ending::Detach)
            page->detach();
        else
            page->cancel();
        page->deleteLater();
    } else if (page->isActive()) {
        // Stop the container or remove the service first; the page goes once the engine is done.
        page->hide();
        page->setParent(this);
        page->hide();
        connect(page, &LogPage::finished, page, &QObject::deleteLater);
        if (page->isDetached())
            page->stop(); // cancel() would only let go of it
        else
            page->cancel();
    } else {
        page->deleteLater();
    }
    updateButtons();
    emit currentStateChanged();
}

void LogView::closeCurrent()
{
    if (m_tabs->currentIndex() >= 0)
        closeTab(m_tabs->currentIndex());
}

void LogView::stopCurrent()
{
    if (LogPage *page = currentPage())
        page->stop();
}

void LogView::stopAll()
{
    const QList<LogPage *> all = findChildren<LogPage *>();
    for (LogPage *page : all) {
        if (page->isActive() && !page->isDetached() && !page->isWaitingForGpus())
            page->cancel();
    }
}

void LogView::showFind()
{
    if (currentPage())
        m_findBar->open();
}

void LogView::find(bool backward)
{
    LogPage *page = currentPage();
    if (!page)
        return;
    const QString text = m_findBar->text();
    QPlainTextEdit *edit = page->textEdit();
    if (text.isEmpty()) {
        m_findBar->setFound(true);
        return;
    }
    bool found = edit->find(text, m_findBar->flags(backward));
    if (!found) {
        // Wrap around once.
        QTextCursor cursor = edit->textCursor();
        const QTextCursor keep = cursor;
        cursor.movePosition(backward ? QTextCursor::End : QTextCursor::Start);
        edit->setTextCursor(cursor);
        found = edit->find(text, m_findBar->flags(backward));
        if (!found)
            edit->setTextCursor(keep);
    }
    if (found)
        page->setFollow(false);
    m_findBar->setFound(found);
}

void LogView::saveCurrent()
{
    LogPage *page = currentPage();
    if (!page)
        return;
    QString suggested = page->spec().image.section(QLatin1Char('/'), -1);
    suggested.replace(QLatin1Char(':'), QLatin1Char('-'));
    const QString path = QFileDialog::getSaveFileName(this, tr("Save the log"),
                                                      suggested + QStringLiteral(".log"),
                                                      tr("Log files (*.log *.txt);;All files (*)"));
    if (path.isEmpty())
        return;
    QString error;
    if (!page->saveTo(path, &error))
        QMessageBox::warning(this, tr("Save the log"),
                             tr("The log could not be saved to %1: %2.").arg(path, error));
}

void LogView::clearCurrent()
{
    if (LogPage *page = currentPage())
        page->clear();
}
