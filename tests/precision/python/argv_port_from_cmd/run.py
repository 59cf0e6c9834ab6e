import sys

from counter import app

if __name__ == "__main__":
    # python3 run.py HOST PORT
    app.run(host=sys.argv[1], port=sys.argv[2])
