" shelf.vim: shelf's tools on a selection in Vim or Neovim.
"
" Put this file in ~/.vim/plugin/ (Neovim: ~/.config/nvim/plugin/), or
" :source it. Select lines (V), then:
"
"   :'<,'>ShelfSummarize        the lines become their summary
"   :'<,'>ShelfSummarize bullets   ... as a bulleted list (--style)
"   :'<,'>ShelfTasks            the lines become their tasks, as todo.txt
"   :'<,'>ShelfFilter CMD       the lines go through any shelf CMD
"
" The selection goes to the tool as plain text and plain text comes back.
" When the tool fails or gives nothing back, the lines stay as they were and
" the error is shown.
" (The bare filter, :'<,'>!summarize --raw, also works, but Vim puts the
" tool's error messages in place of the lines when it fails.)
"
" The tools read SHELF_BASE_URL, SHELF_MODEL and the configuration file as
" usual; set them before starting Vim, or with :let $SHELF_MODEL = '...'.

if exists('g:loaded_shelf')
  finish
endif
let g:loaded_shelf = 1
" Line continuations need 'cpo' without "C": Vim starts in compatible mode
" under vim -u NONE, where they would be errors (E10).
let s:save_cpo = &cpo
set cpo&vim

" s:Filter replaces lines first..last with what cmd prints for them, if
" cmd succeeds.
function! s:Filter(first, last, cmd) abort
  let l:err = tempname()
  let l:out = systemlist(a:cmd . ' 2>' . shellescape(l:err), getline(a:first, a:last))
  let l:status = v:shell_error
  let l:msg = filereadable(l:err) ? readfile(l:err) : []
  call delete(l:err)
  if l:status != 0
    echohl ErrorMsg
    echomsg join(l:msg, ' | ')
    echohl None
    return
  endif
  if empty(l:out)
    echohl ErrorMsg
    echomsg a:cmd . ' gave nothing back; the lines are unchanged'
    echohl None
    return
  endif
  " The new lines go in after the old ones, which are then deleted, so the
  " buffer is never empty (an empty buffer keeps a stray blank line).
  call append(a:last, l:out)
  call deletebufline('%', a:first, a:last)
endfunction

command! -range -nargs=? ShelfSummarize
      \ call s:Filter(<line1>, <line2>, 'summarize --raw' . (empty(<q-args>) ? '' : ' --style ' . shellescape(<q-args>)))
command! -range ShelfTasks
      \ call s:Filter(<line1>, <line2>, 'tasks --format todotxt')
command! -range -nargs=+ -complete=shellcmd ShelfFilter
      \ call s:Filter(<line1>, <line2>, <q-args>)

let &cpo = s:save_cpo
unlet s:save_cpo
