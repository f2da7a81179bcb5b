;;; shelf.el --- shelf's tools on the region  -*- lexical-binding: t -*-

;; Load it from your init file:
;;
;;   (load "~/path/to/shelf.el")
;;   (global-set-key (kbd "C-c s s") #'shelf-summarize-region)
;;   (global-set-key (kbd "C-c s t") #'shelf-tasks-region)
;;
;; Mark a region, then M-x shelf-summarize-region: the region becomes its
;; summary (with C-u, you are asked for a --style: bullets, ...).
;; M-x shelf-tasks-region: the region becomes its tasks, as todo.txt lines.
;; M-x shelf-filter-region runs any shelf command line on the region.
;;
;; The region goes to the tool as plain text and plain text comes back.
;; When the tool fails or gives nothing back, the region stays as it was
;; and the error is shown.
;; (C-u M-| summarize --raw, that is shell-command-on-region, also works,
;; but it puts the tool's empty output in place of the region when it
;; fails.)
;;
;; The tools read SHELF_BASE_URL, SHELF_MODEL and the configuration file as
;; usual; (setenv "SHELF_MODEL" "...") sets one for Emacs.

;;; Code:

(require 'subr-x) ; string-trim, string-empty-p

(defun shelf-filter-region (start end command)
  "Replace the region from START to END with what COMMAND prints for it.
COMMAND is a shell command line.  If it fails, the region is left
alone and its error is signalled."
  (interactive "r\nsshelf command: ")
  (let ((out (generate-new-buffer " *shelf-out*"))
        (err (make-temp-file "shelf-err")))
    (unwind-protect
        (let ((status (call-process-region start end shell-file-name nil
                                           (list out err) nil
                                           shell-command-switch command)))
          (unless (eql status 0)
            (error "%s failed (%s): %s" command status
                   (with-temp-buffer
                     (insert-file-contents err)
                     (string-trim (buffer-string)))))
          (when (zerop (buffer-size out))
            (error "%s gave nothing back; the region is unchanged" command))
          (save-excursion
            (goto-char start)
            (delete-region start end)
            (insert-buffer-substring out)))
      (kill-buffer out)
      (delete-file err))))

(defun shelf-summarize-region (start end &optional style)
  "Replace the region from START to END with its summary.
With a prefix argument, ask for the STYLE (summarize --style)."
  (interactive
   (list (region-beginning) (region-end)
         (when current-prefix-arg
           (completing-read "style: " (list "brief" "bullets" "detailed")))))
  (shelf-filter-region start end
                       (concat "summarize --raw"
                               (when (and style (not (string-empty-p style)))
                                 (concat " --style " (shell-quote-argument style))))))

(defun shelf-tasks-region (start end)
  "Replace the region from START to END with its tasks, as todo.txt lines."
  (interactive "r")
  (shelf-filter-region start end "tasks --format todotxt"))

(provide 'shelf)
;;; shelf.el ends here
